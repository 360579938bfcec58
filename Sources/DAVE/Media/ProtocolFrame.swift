/// The DAVE media frame: the encrypted frame with the protocol's footer appended,
///
///     interleaved frame | tag (8) | ULEB128 nonce | ULEB128 (offset, length)* | size (1) | FA FA
///
/// where `size` counts the footer from the tag to the marker inclusive, and the (offset, length)
/// pairs name the frame's unencrypted ranges in ascending order (none for Opus). This file is the
/// "protocol frame check" of the spec: deciding whether bytes are such a frame, and splitting it.
enum ProtocolFrame {
    static let magicMarker: UInt8 = 0xFA
    static let tagLength = 8
    /// Tag, size byte and marker: the footer without nonce and ranges.
    static let minimumFooterLength = tagLength + 1 + 2
    /// The Opus silence frame the SFU synthesises; it passes through every decryptor untouched.
    static let opusSilence: [UInt8] = [0xF8, 0xFF, 0xFE]

    /// A frame that passed the protocol frame check, as offsets into its bytes.
    struct Parsed {
        /// Bytes of the interleaved (plain and encrypted) media frame at the start.
        var mediaLength: Int
        var tagOffset: Int
        var truncatedNonce: UInt32
        /// Ascending, disjoint, inside the media frame.
        var unencryptedRanges: [Range<Int>]
    }

    static func isOpusSilence(_ frame: UnsafeRawBufferPointer) -> Bool {
        frame.count == 3 && frame[0] == 0xF8 && frame[1] == 0xFF && frame[2] == 0xFE
    }

    /// The protocol frame check: nil when `frame` is not a well-formed DAVE frame. Never traps on
    /// hostile bytes.
    static func parse(_ frame: UnsafeRawBufferPointer) -> Parsed? {
        let count = frame.count
        guard count >= minimumFooterLength, frame[count - 1] == magicMarker, frame[count - 2] == magicMarker else { return nil }
        let footerLength = Int(frame[count - 3])
        guard footerLength >= minimumFooterLength + 1, footerLength <= count else { return nil }
        let tagOffset = count - footerLength
        var position = tagOffset + tagLength
        let end = count - 3
        guard let nonce = ULEB128.read(frame, at: &position, end: end), nonce <= UInt64(UInt32.max) else { return nil }
        let mediaLength = tagOffset
        var ranges: [Range<Int>] = []
        var previousEnd = 0
        while position < end {
            guard let offset = ULEB128.read(frame, at: &position, end: end),
                  let length = ULEB128.read(frame, at: &position, end: end),
                  offset <= UInt64(mediaLength), length <= UInt64(mediaLength) - offset,
                  Int(offset) >= previousEnd
            else { return nil }
            let range = Int(offset)..<Int(offset + length)
            if !range.isEmpty { ranges.append(range) }
            previousEnd = range.upperBound
        }
        return Parsed(mediaLength: mediaLength, tagOffset: tagOffset, truncatedNonce: UInt32(nonce), unencryptedRanges: ranges)
    }

    /// Appends the footer for `tag`, `nonce` and `ranges` to `output` (which holds the media frame).
    static func appendFooter(tag: some Collection<UInt8>, nonce: UInt32, ranges: [Range<Int>], to output: inout [UInt8]) throws {
        let start = output.count
        output.append(contentsOf: tag.prefix(tagLength))
        ULEB128.write(UInt64(nonce), to: &output)
        for range in ranges {
            ULEB128.write(UInt64(range.lowerBound), to: &output)
            ULEB128.write(UInt64(range.count), to: &output)
        }
        let footerLength = output.count - start + 3
        guard footerLength <= Int(UInt8.max) else { throw DAVEError.frameTooLarge(footerLength) }
        output.append(UInt8(footerLength))
        output.append(magicMarker)
        output.append(magicMarker)
    }
}
