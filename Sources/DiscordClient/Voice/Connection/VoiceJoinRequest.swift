import BotHostCore
import Synchronization

/// One `join` waiting for its result, which is delivered exactly once: the session, or the
/// reason the join failed (timeout, a final close code, `leave`, cancellation).
package final class VoiceJoinRequest: Sendable {
    private struct State {
        var result: Result<VoiceSession, any Error>?
        var continuation: CheckedContinuation<VoiceSession, any Error>?
        var timer: TimerScheduler.Token?
    }

    package let guildID: UInt64
    package let channelID: UInt64
    private let state = Mutex(State())

    package init(guildID: UInt64, channelID: UInt64) {
        self.guildID = guildID
        self.channelID = channelID
    }

    package var isResolved: Bool { state.withLock { $0.result != nil } }

    package func setTimer(_ token: TimerScheduler.Token) { state.withLock { $0.timer = token } }

    /// Delivers the result; false (and nothing happens) if one was delivered already. Returns the
    /// timeout timer to cancel.
    @discardableResult
    package func resolve(_ result: Result<VoiceSession, any Error>) -> (delivered: Bool, timer: TimerScheduler.Token?) {
        let (continuation, timer, delivered) = state.withLock { s -> (CheckedContinuation<VoiceSession, any Error>?, TimerScheduler.Token?, Bool) in
            guard s.result == nil else { return (nil, nil, false) }
            s.result = result
            defer { s.continuation = nil; s.timer = nil }
            return (s.continuation, s.timer, true)
        }
        continuation?.resume(with: result)
        return (delivered, timer)
    }

    package func value() async throws -> VoiceSession {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> Result<VoiceSession, any Error>? in
                if let result = s.result { return result }
                s.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
