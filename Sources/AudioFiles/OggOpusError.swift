/// Why an Ogg Opus stream could not be written or read.
public enum OggOpusError: Error, Equatable, CustomStringConvertible {
    /// Bytes at `offset` do not start with "OggS".
    case invalidCapturePattern(offset: Int)
    case unsupportedOggVersion(UInt8)
    /// The page at `offset` does not match its CRC: the file is corrupt.
    case checksumMismatch(offset: Int, expected: UInt32, actual: UInt32)
    case pageSequenceGap(expected: UInt32, found: UInt32)
    /// A page continues a packet that no earlier page began, or a packet was cut off.
    case brokenPacketContinuation(pageSequence: UInt32)
    case missingBeginningOfStream
    case missingOpusHead
    case unsupportedOpusHeadVersion(UInt8)
    case invalidOpusHead(String)
    case missingOpusTags
    case invalidOpusTags
    /// An audio packet's TOC byte does not describe a valid Opus packet.
    case invalidOpusPacket(index: Int)
    case invalidChannelCount(Int)
    case invalidSampleCount(Int)
    /// End trimming may only shorten the last page, never lengthen the stream.
    case invalidEndTrim(requestedGranule: Int64, minimum: Int64, maximum: Int64)
    case writerFinished
    case io(String)

    public var description: String {
        switch self {
        case .invalidCapturePattern(let offset): "not an Ogg page at byte \(offset) (no \"OggS\" capture pattern)"
        case .unsupportedOggVersion(let version): "unsupported Ogg stream structure version \(version)"
        case .checksumMismatch(let offset, let expected, let actual):
            "Ogg page at byte \(offset) is corrupt: CRC \(String(actual, radix: 16)), header says \(String(expected, radix: 16))"
        case .pageSequenceGap(let expected, let found): "Ogg page \(found) follows page \(expected &- 1): pages are missing"
        case .brokenPacketContinuation(let sequence): "Ogg page \(sequence) breaks packet continuation"
        case .missingBeginningOfStream: "the first Ogg page is not marked beginning-of-stream"
        case .missingOpusHead: "not an Ogg Opus stream (the first packet is not OpusHead)"
        case .unsupportedOpusHeadVersion(let version): "unsupported OpusHead version \(version)"
        case .invalidOpusHead(let reason): "invalid OpusHead: \(reason)"
        case .missingOpusTags: "the second packet is not OpusTags"
        case .invalidOpusTags: "OpusTags header is truncated or inconsistent"
        case .invalidOpusPacket(let index): "audio packet \(index) is not a valid Opus packet"
        case .invalidChannelCount(let count): "Ogg Opus supports 1 or 2 channels here, not \(count)"
        case .invalidSampleCount(let count): "invalid packet duration \(count) samples"
        case .invalidEndTrim(let requested, let minimum, let maximum):
            "end trim to granule \(requested) is outside the last page's range \(minimum)...\(maximum)"
        case .writerFinished: "the Ogg Opus writer was already finished"
        case .io(let message): "I/O error: \(message)"
        }
    }
}
