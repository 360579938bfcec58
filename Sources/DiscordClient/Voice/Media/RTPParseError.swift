import BotHostCore

/// Why received bytes are not a usable RTP packet.
public enum RTPParseError: Error, Equatable, CustomStringConvertible {
    case tooShort(length: Int)
    case unsupportedVersion(UInt8)
    /// The CSRC list or the extension preamble runs past the end of the packet.
    case headerTruncated(needed: Int, length: Int)
    /// The (decrypted) payload is shorter than the extension body the header announces.
    case extensionBodyTruncated(needed: Int, available: Int)
    /// The padding count is zero or larger than what follows the extension.
    case invalidPadding(count: Int, available: Int)

    public var description: String {
        switch self {
        case .tooShort(let length): "RTP packet of \(length) bytes is shorter than the 12-byte header"
        case .unsupportedVersion(let version): "RTP version \(version), expected 2"
        case .headerTruncated(let needed, let length): "RTP header needs \(needed) bytes, packet has \(length)"
        case .extensionBodyTruncated(let needed, let available):
            "RTP extension body of \(needed) bytes, only \(available) in the payload"
        case .invalidPadding(let count, let available): "RTP padding of \(count) bytes with \(available) available"
        }
    }
}
