import BotHostCore

/// What a receive pipeline has seen, for metrics and diagnostics.
public struct VoiceReceiveCounters: Sendable, Equatable {
    /// Datagrams handed to the pipeline.
    public var datagrams: UInt64 = 0
    /// Audio packets accepted into a reorder buffer.
    public var accepted: UInt64 = 0
    /// RTCP and non-Opus RTP packets, skipped.
    public var ignored: UInt64 = 0
    /// Not parseable as RTP (bad version, truncated header or extension, bad padding).
    public var malformed: UInt64 = 0
    /// Failed transport authentication (forged, corrupt, wrong key) or end-to-end decryption.
    public var undecryptable: UInt64 = 0
    /// Packets already received (buffered or played).
    public var duplicate: UInt64 = 0
    /// Packets that arrived after their slot had been played as lost.
    public var late: UInt64 = 0
    /// Slots whose packet never arrived in time.
    public var lost: UInt64 = 0
    /// Lost slots filled with concealment (or FEC-recovered) audio.
    public var concealed: UInt64 = 0
    /// Lost slots decoded through the next packet's in-band FEC data (libopus falls back to
    /// concealment when that packet carries none).
    public var decodedWithFEC: UInt64 = 0
    /// Opus frames the decoder rejected (concealed instead).
    public var undecodable: UInt64 = 0
    /// Sequence jumps treated as a sender restart.
    public var restarts: UInt64 = 0
    /// Sources dropped to stay within the source limit.
    public var evictedSources: UInt64 = 0

    public init() {}
}
