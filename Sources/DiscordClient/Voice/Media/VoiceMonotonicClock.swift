import BotHostCore

/// A monotonic time source in nanoseconds, injectable so pacing can be tested without sleeping.
public protocol VoiceMonotonicClock {
    func monotonicNs() -> UInt64
}

extension SystemClock: VoiceMonotonicClock {}
extension ManualClock: VoiceMonotonicClock {}
