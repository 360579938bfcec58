import BotHostCore

/// What a send pipeline has done, for metrics and diagnostics.
public struct VoiceSendCounters: Sendable, Equatable {
    /// Datagrams produced.
    public var packets: UInt64 = 0
    /// Opus bytes carried (before transport encryption).
    public var opusBytes: UInt64 = 0
    /// Silence frames sent before pauses.
    public var silenceFrames: UInt64 = 0
    /// 20 ms slots the RTP timestamp skipped over (pauses, frames dropped when late).
    public var skippedFrames: UInt64 = 0

    public init() {}
}
