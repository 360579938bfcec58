/// An RTP header (RFC 3550 §5.1) as Discord voice uses it: version 2, payload type 120 for Opus,
/// 16-bit sequence, 32-bit timestamp in 48 kHz samples, SSRC; optionally CSRCs and a header
/// extension. In the `rtpsize` modes only the extension's 4-byte preamble (profile, length) is in
/// the clear; its body is encrypted with the payload and stripped after decryption.
public struct RTPHeader: Sendable, Equatable {
    public static let fixedLength = 12
    /// Version 2, no padding, no extension, no CSRCs.
    public static let discordFirstByte: UInt8 = 0x80
    /// Marker clear, payload type 120 (Opus).
    public static let opusPayloadType: UInt8 = 0x78

    public var hasPadding: Bool
    public var marker: Bool
    public var payloadType: UInt8
    public var sequence: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: [UInt32]
    /// The extension's profile (0xBEDE for one-byte elements), when the X bit is set.
    public var extensionProfile: UInt16?
    /// The extension body's length in 32-bit words (its bytes are in the encrypted part).
    public var extensionLengthInWords: UInt16

    public init(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, payloadType: UInt8 = opusPayloadType,
                marker: Bool = false, hasPadding: Bool = false, csrcs: [UInt32] = [],
                extensionProfile: UInt16? = nil, extensionLengthInWords: UInt16 = 0) {
        self.hasPadding = hasPadding
        self.marker = marker
        self.payloadType = payloadType
        self.sequence = sequence
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensionProfile = extensionProfile
        self.extensionLengthInWords = extensionLengthInWords
    }

    /// Bytes of the header sent in the clear: 12 + 4 per CSRC + 4 for the extension preamble.
    /// In the `rtpsize` modes this is exactly the additional authenticated data.
    public var clearLength: Int {
        Self.fixedLength + 4 * csrcs.count + (extensionProfile == nil ? 0 : 4)
    }

    /// Bytes of the extension body at the start of the decrypted payload.
    public var extensionBodyLength: Int { extensionProfile == nil ? 0 : 4 * Int(extensionLengthInWords) }

    /// The clear header bytes, e.g. for building test packets or a server's outgoing packets.
    public func clearBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(clearLength)
        bytes.append(0x80 | (hasPadding ? 0x20 : 0) | (extensionProfile == nil ? 0 : 0x10) | UInt8(csrcs.count & 0x0F))
        bytes.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        bytes.appendBigEndian(sequence)
        bytes.appendBigEndian(timestamp)
        bytes.appendBigEndian(ssrc)
        for csrc in csrcs.prefix(15) { bytes.appendBigEndian(csrc) }
        if let extensionProfile {
            bytes.appendBigEndian(extensionProfile)
            bytes.appendBigEndian(extensionLengthInWords)
        }
        return bytes
    }

    /// Writes the 12-byte header every packet this host sends carries (0x80, 0x78, seq, ts, SSRC).
    package static func writeDiscordHeader(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, into bytes: UnsafeMutableRawBufferPointer) {
        bytes[0] = discordFirstByte
        bytes[1] = opusPayloadType
        bytes[2] = UInt8(truncatingIfNeeded: sequence >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: sequence)
        for i in 0..<4 {
            bytes[4 + i] = UInt8(truncatingIfNeeded: timestamp >> (24 - 8 * UInt32(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * UInt32(i)))
        }
    }
}

fileprivate extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }
}

extension RTPHeader {
    /// Parses the clear header of a received packet: version, padding and extension bits, CSRC
    /// count and list, marker, payload type, sequence, timestamp, SSRC and the extension preamble.
    /// The extension body is not read here: in the `rtpsize` modes it is encrypted, and
    /// `splitPayload` removes it after decryption.
    public static func parse(_ packet: UnsafeRawBufferPointer) throws(RTPParseError) -> RTPHeader {
        guard packet.count >= fixedLength else { throw .tooShort(length: packet.count) }
        let first = packet[0]
        guard first >> 6 == 2 else { throw .unsupportedVersion(first >> 6) }
        let csrcCount = Int(first & 0x0F)
        let hasExtension = first & 0x10 != 0
        let clearLength = fixedLength + 4 * csrcCount + (hasExtension ? 4 : 0)
        guard packet.count >= clearLength else { throw .headerTruncated(needed: clearLength, length: packet.count) }
        var header = RTPHeader(
            sequence: readUInt16(packet, 2), timestamp: readUInt32(packet, 4), ssrc: readUInt32(packet, 8),
            payloadType: packet[1] & 0x7F, marker: packet[1] & 0x80 != 0, hasPadding: first & 0x20 != 0)
        if csrcCount > 0 {
            header.csrcs = (0..<csrcCount).map { readUInt32(packet, fixedLength + 4 * $0) }
        }
        if hasExtension {
            let preamble = fixedLength + 4 * csrcCount
            header.extensionProfile = readUInt16(packet, preamble)
            header.extensionLengthInWords = readUInt16(packet, preamble + 2)
        }
        return header
    }

    public static func parse(_ packet: [UInt8]) throws(RTPParseError) -> RTPHeader {
        try packet.withUnsafeBytes { bytes in Result { () throws(RTPParseError) in try parse(bytes) } }.get()
    }

    /// Where the extension body and the media payload lie within the decrypted payload: the
    /// extension body (announced by the clear preamble) comes first and is stripped, and with the
    /// P bit set the last byte counts the padding to drop from the end.
    public func splitPayload(length: Int, lastByte: UInt8?) throws(RTPParseError) -> (extensionBody: Range<Int>, media: Range<Int>) {
        let bodyLength = extensionBodyLength
        guard bodyLength <= length else { throw .extensionBodyTruncated(needed: bodyLength, available: length) }
        var end = length
        if hasPadding {
            let padding = Int(lastByte ?? 0)
            guard padding > 0, padding <= length - bodyLength else {
                throw .invalidPadding(count: padding, available: length - bodyLength)
            }
            end -= padding
        }
        return (0..<bodyLength, bodyLength..<end)
    }

    private static func readUInt16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    private static func readUInt32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}

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
