import BotHostCore

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
