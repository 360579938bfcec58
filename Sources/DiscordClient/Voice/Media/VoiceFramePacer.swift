import BotHostCore

/// The 20 ms send schedule of one voice stream. Frame n is due at `start + n × 20 ms`, always
/// computed from the start, so oversleeping one frame never delays the ones after it and the
/// stream does not drift however long it runs.
///
/// The pacer only decides; the caller sleeps. Loop: `switch pacer.next()` — on `.wait(ns)` sleep
/// that long and ask again; on `.send(frame, skipped)` call `pipeline.skipFrames(skipped)` when
/// `skipped` > 0, then send one frame.
///
/// When the caller wakes late (a stalled event loop, a busy machine):
/// - `.burst(maxFrames: k)`: frames up to k periods overdue are still sent, back to back, to catch
///   up — right for files, where every frame should be heard; anything older is skipped so the
///   stream never falls more than k frames behind real time.
/// - `.skip`: every missed deadline is dropped and sending continues with the frame due now —
///   right for live audio, where late audio is worse than a gap.
/// Skipped frames are reported so the RTP timestamp can jump over them.
public struct VoiceFramePacer<Clock: VoiceMonotonicClock> {
    public enum LatePolicy: Sendable, Equatable {
        case burst(maxFrames: UInt64)
        case skip
    }

    public enum Tick: Sendable, Equatable {
        /// Nothing is due yet: sleep this long, then call `next()` again.
        case wait(nanoseconds: UInt64)
        /// Send frame `frame` now; `skippedBefore` frames before it were dropped as too late.
        case send(frame: UInt64, skippedBefore: UInt64)
    }

    public let clock: Clock
    public let start: UInt64
    public let frameDuration: UInt64
    public let latePolicy: LatePolicy
    /// Index of the next frame to send.
    public private(set) var nextFrame: UInt64 = 0
    /// Frames dropped so far for being late or during pauses.
    public private(set) var skippedFrames: UInt64 = 0

    /// Starts the schedule at `start` (default: now) with frame 0 due immediately.
    public init(clock: Clock, start: UInt64? = nil, frameDuration: UInt64 = VoiceAudioFormat.frameDurationNanoseconds,
                latePolicy: LatePolicy = .burst(maxFrames: 3)) {
        precondition(frameDuration > 0, "a frame lasts some time")
        self.clock = clock
        self.start = start ?? clock.monotonicNs()
        self.frameDuration = frameDuration
        self.latePolicy = latePolicy
    }

    /// When frame `n` is due.
    public func deadline(ofFrame n: UInt64) -> UInt64 {
        start &+ n &* frameDuration
    }

    /// What to do now.
    public mutating func next() -> Tick {
        let now = clock.monotonicNs()
        let due = deadline(ofFrame: nextFrame)
        guard now >= due else { return .wait(nanoseconds: due - now) }
        // Whole periods the current frame is overdue: 0 means it is in its own slot.
        let behind = (now - due) / frameDuration
        let tolerated: UInt64
        switch latePolicy {
        case .burst(let maxFrames): tolerated = maxFrames
        case .skip: tolerated = 0
        }
        var skipped: UInt64 = 0
        if behind > tolerated {
            skipped = behind - tolerated
            nextFrame += skipped
            skippedFrames += skipped
        }
        let frame = nextFrame
        nextFrame += 1
        return .send(frame: frame, skippedBefore: skipped)
    }

    /// After a deliberate pause in sending: drops every frame whose slot has already begun
    /// passing, so the next frame is due at the next 20 ms boundary rather than burst out late.
    /// Returns how many frames were skipped (for `VoiceSendPipeline.skipFrames`).
    public mutating func resume() -> UInt64 {
        let now = clock.monotonicNs()
        guard now > deadline(ofFrame: nextFrame) else { return 0 }
        let elapsed = now - start
        let upcoming = (elapsed + frameDuration - 1) / frameDuration  // first deadline ≥ now
        let skipped = upcoming - nextFrame
        nextFrame = upcoming
        skippedFrames += skipped
        return skipped
    }
}

/// A monotonic time source in nanoseconds, injectable so pacing can be tested without sleeping.
public protocol VoiceMonotonicClock {
    func monotonicNs() -> UInt64
}

extension SystemClock: VoiceMonotonicClock {}
extension ManualClock: VoiceMonotonicClock {}
