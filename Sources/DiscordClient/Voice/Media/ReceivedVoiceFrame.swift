import BotHostCore

/// One 20 ms slot of a received voice stream, in sequence order.
public struct ReceivedVoiceFrame: Sendable, Equatable {
    public let ssrc: UInt32
    public let sequence: UInt16
    /// RTP timestamp (48 kHz samples); for a lost slot, estimated from the previous packet. A
    /// jump larger than the frame duration between consecutive frames is a pause by the sender.
    public let timestamp: UInt32
    /// The Opus frame as the sender encoded it (transport and end-to-end encryption removed), for
    /// recording without re-encoding; nil when the slot was lost.
    public let opus: [UInt8]?
    /// Decoded 48 kHz stereo interleaved samples (1920 for 20 ms); for a lost slot, concealment
    /// audio. Empty when the pipeline does not decode.
    public let pcm: [Int16]

    /// Whether the packet for this slot never arrived (its audio, if any, is concealment).
    public var isLost: Bool { opus == nil }

    public init(ssrc: UInt32, sequence: UInt16, timestamp: UInt32, opus: [UInt8]?, pcm: [Int16]) {
        self.ssrc = ssrc
        self.sequence = sequence
        self.timestamp = timestamp
        self.opus = opus
        self.pcm = pcm
    }
}
