@testable import DiscordClient
import BotHostCore
import BotHostTestSupport
import Testing

/// A clock tests move by hand, in nanoseconds.
final class SteppedClock: VoiceMonotonicClock {
    var now: UInt64
    init(_ now: UInt64) { self.now = now }
    func monotonicNs() -> UInt64 { now }
}

@Suite struct VoiceMediaPacerTests {
    static let ms: UInt64 = 1_000_000
    static let start: UInt64 = 7_000 * ms

    @Test func tenThousandFramesWithLateWakeupsDoNotDrift() {
        let clock = SteppedClock(Self.start)
        var pacer = VoiceFramePacer(clock: clock, latePolicy: .burst(maxFrames: 3))
        var rng = SplitMix64(state: 7)
        var sent: UInt64 = 0
        while sent < 10_000 {
            switch pacer.next() {
            case .wait(let nanoseconds):
                // Sleeping always overshoots a little (up to 3 ms), as real sleeps do.
                clock.now += nanoseconds + UInt64.random(in: 0...(3 * Self.ms), using: &rng)
            case .send(let frame, let skipped):
                #expect(frame == sent)
                #expect(skipped == 0)
                let deadline = Self.start + frame * 20 * Self.ms
                #expect(clock.now >= deadline && clock.now <= deadline + 3 * Self.ms,
                        "each frame goes out within one oversleep of its own deadline, never later")
                sent += 1
            }
        }
        // A "sleep 20 ms after the last one" loop would now be ~15 s behind; this one is on time.
        #expect(pacer.deadline(ofFrame: 10_000) == Self.start + 200_000 * Self.ms)
        #expect(clock.now < Self.start + 200_000 * Self.ms)
    }

    @Test func burstCatchesUpASmallStallAndSkipsTheRest() {
        let clock = SteppedClock(Self.start)
        var pacer = VoiceFramePacer(clock: clock, latePolicy: .burst(maxFrames: 3))
        #expect(pacer.next() == .send(frame: 0, skippedBefore: 0))
        #expect(pacer.next() == .wait(nanoseconds: 20 * Self.ms))
        // Stall 50 ms: frame 1 (due +20) is 30 ms late, frame 2 (due +40) 10 ms late.
        clock.now += 50 * Self.ms
        #expect(pacer.next() == .send(frame: 1, skippedBefore: 0))
        #expect(pacer.next() == .send(frame: 2, skippedBefore: 0))
        #expect(pacer.next() == .wait(nanoseconds: 10 * Self.ms))
        // Stall 200 ms: frame 3 is 10 periods behind; 3 are still sent, the older 7 are skipped.
        clock.now = Self.start + 260 * Self.ms
        #expect(pacer.next() == .send(frame: 10, skippedBefore: 7))
        #expect(pacer.next() == .send(frame: 11, skippedBefore: 0))
        #expect(pacer.next() == .send(frame: 12, skippedBefore: 0))
        #expect(pacer.next() == .send(frame: 13, skippedBefore: 0))
        #expect(pacer.next() == .wait(nanoseconds: 20 * Self.ms))
        #expect(pacer.skippedFrames == 7)
    }

    @Test func skipPolicyDropsEveryMissedDeadline() {
        let clock = SteppedClock(Self.start)
        var pacer = VoiceFramePacer(clock: clock, latePolicy: .skip)
        #expect(pacer.next() == .send(frame: 0, skippedBefore: 0))
        clock.now += 75 * Self.ms  // frames 1, 2, 3 passed; 3 is still in its slot
        #expect(pacer.next() == .send(frame: 3, skippedBefore: 2))
        #expect(pacer.next() == .wait(nanoseconds: 5 * Self.ms))
    }

    @Test func resumeAfterAPauseRealignsToTheGrid() {
        let clock = SteppedClock(Self.start)
        var pacer = VoiceFramePacer(clock: clock, latePolicy: .burst(maxFrames: 3))
        for n: UInt64 in 0..<5 {
            clock.now = Self.start + n * 20 * Self.ms
            #expect(pacer.next() == .send(frame: n, skippedBefore: 0))
        }
        // Then a pause of about a second.
        clock.now = Self.start + 1_005 * Self.ms
        // Frames 5…50 would be due; a resume skips to 51 (due at 1020 ms) instead of bursting.
        #expect(pacer.resume() == 46)
        #expect(pacer.next() == .wait(nanoseconds: 15 * Self.ms))
        clock.now += 15 * Self.ms
        #expect(pacer.next() == .send(frame: 51, skippedBefore: 0))
        #expect(pacer.resume() == 0)
    }
}
