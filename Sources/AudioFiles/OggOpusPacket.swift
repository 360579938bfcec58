/// One Opus packet read from an Ogg Opus stream.
public struct OggOpusPacket: Sendable, Equatable {
    /// The Opus packet, as it goes to a decoder or into an RTP payload.
    public let data: [UInt8]
    /// Its duration: samples per channel at 48 kHz (960 for a 20 ms packet).
    public let sampleCount: Int
    /// The granule position of the page this packet ends, when it is that page's last packet.
    public let granulePosition: Int64?

    public init(data: [UInt8], sampleCount: Int, granulePosition: Int64?) {
        self.data = data
        self.sampleCount = sampleCount
        self.granulePosition = granulePosition
    }
}
