/// The Ogg Opus identification header (RFC 7845 §5.1), the first packet of every Ogg Opus stream.
public struct OpusHead: Sendable, Equatable {
    static let magic: [UInt8] = Array("OpusHead".utf8)

    /// Output channels (1 or 2 for mapping family 0).
    public var channelCount: UInt8
    /// Samples at 48 kHz to discard from the start of decoded output: the encoder's lookahead.
    /// libopus's encoder delay at 48 kHz is 312 samples (6.5 ms).
    public var preSkip: UInt16
    /// The sample rate of the original input; informational, playback is always 48 kHz.
    public var inputSampleRate: UInt32
    /// Gain to apply on output, in Q7.8 dB.
    public var outputGain: Int16
    /// 0: mono or stereo with no table; 1 and 255: multistream with a channel mapping table.
    public var mappingFamily: UInt8
    /// Stream count, coupled stream count and the mapping table, present when `mappingFamily` ≠ 0.
    public var channelMapping: ChannelMapping?

    public struct ChannelMapping: Sendable, Equatable {
        public var streamCount: UInt8
        public var coupledStreamCount: UInt8
        public var mapping: [UInt8]
    }

    public init(channelCount: UInt8 = 2, preSkip: UInt16 = 312, inputSampleRate: UInt32 = 48_000, outputGain: Int16 = 0) {
        self.channelCount = channelCount
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGain = outputGain
        self.mappingFamily = 0
        self.channelMapping = nil
    }

    /// The header packet: mapping family 0, version 1.
    func packet() -> [UInt8] {
        var bytes = Self.magic
        bytes.append(1)  // version
        bytes.append(channelCount)
        bytes.appendLittleEndian(preSkip)
        bytes.appendLittleEndian(inputSampleRate)
        bytes.appendLittleEndian(outputGain)
        bytes.append(0)  // mapping family 0: mono/stereo, no table
        return bytes
    }

    /// Parses the identification header; the version's major nibble must be 0 (RFC 7845 §5.1).
    static func parse(_ packet: [UInt8]) throws(OggOpusError) -> OpusHead {
        guard packet.count >= 19, Array(packet[0..<8]) == magic else { throw .missingOpusHead }
        let version = packet[8]
        guard version >> 4 == 0 else { throw .unsupportedOpusHeadVersion(version) }
        let channels = packet[9]
        guard channels > 0 else { throw .invalidOpusHead("channel count 0") }
        var head = OpusHead(
            channelCount: channels,
            preSkip: packet.littleEndian(UInt16.self, at: 10) ?? 0,
            inputSampleRate: packet.littleEndian(UInt32.self, at: 12) ?? 0,
            outputGain: packet.littleEndian(Int16.self, at: 16) ?? 0)
        head.mappingFamily = packet[18]
        if head.mappingFamily == 0 {
            guard channels <= 2 else { throw .invalidOpusHead("mapping family 0 with \(channels) channels") }
        } else {
            guard packet.count >= 21 + Int(channels) else { throw .invalidOpusHead("channel mapping table truncated") }
            head.channelMapping = ChannelMapping(
                streamCount: packet[19], coupledStreamCount: packet[20], mapping: Array(packet[21..<21 + Int(channels)]))
        }
        return head
    }
}
