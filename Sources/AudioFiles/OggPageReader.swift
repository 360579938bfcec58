/// Reads Ogg pages one at a time, checking each page's capture pattern, version and CRC.
struct OggPageReader {
    private var source: OggByteSource
    private var buffer: [UInt8] = []
    private var position = 0
    /// Byte offset in the input of `buffer[0]`, for error messages.
    private var bufferOffset = 0
    private var exhausted = false
    /// Set when the input ended inside a page (e.g. a recording cut off by a crash).
    private(set) var endedMidPage = false

    init(source: OggByteSource) {
        self.source = source
    }

    /// The next page, or nil at the end of the input.
    mutating func nextPage() throws(OggOpusError) -> OggPage? {
        // `ensure` may compact the buffer, so offsets are taken from `position` after each call.
        guard try ensure(OggPage.headerLength) else { return nil }
        let pageOffset = bufferOffset + position
        guard buffer[position..<position + 4].elementsEqual(OggPage.capturePattern) else {
            throw .invalidCapturePattern(offset: pageOffset)
        }
        guard buffer[position + 4] == 0 else { throw .unsupportedOggVersion(buffer[position + 4]) }
        let segmentCount = Int(buffer[position + 26])
        guard try ensure(OggPage.headerLength + segmentCount) else { return nil }
        let lacing = Array(buffer[position + 27..<position + 27 + segmentCount])
        let bodyLength = lacing.reduce(0) { $0 + Int($1) }
        let pageLength = OggPage.headerLength + segmentCount + bodyLength
        guard try ensure(pageLength) else { return nil }
        let start = position

        let slice = buffer[start..<start + pageLength]
        let expected = slice.littleEndian(UInt32.self, at: start + 22) ?? 0
        var actual: UInt32 = 0
        buffer.withUnsafeBytes { raw in
            actual = OggCRC32.update(actual, UnsafeRawBufferPointer(rebasing: raw[start..<start + 22]))
            // The CRC covers the page with its own CRC field taken as zero.
            withUnsafeBytes(of: UInt32(0)) { actual = OggCRC32.update(actual, $0) }
            actual = OggCRC32.update(actual, UnsafeRawBufferPointer(rebasing: raw[start + 26..<start + pageLength]))
        }
        guard actual == expected else { throw .checksumMismatch(offset: pageOffset, expected: expected, actual: actual) }

        position += pageLength
        return OggPage(
            flags: OggPageFlags(rawValue: buffer[start + 5]),
            granulePosition: slice.littleEndian(Int64.self, at: start + 6) ?? OggPage.noGranule,
            serialNumber: slice.littleEndian(UInt32.self, at: start + 14) ?? 0,
            sequenceNumber: slice.littleEndian(UInt32.self, at: start + 18) ?? 0,
            lacingValues: lacing,
            body: Array(buffer[start + 27 + segmentCount..<start + pageLength]))
    }

    /// Makes `count` bytes available from `position`; false when the input ends first.
    private mutating func ensure(_ count: Int) throws(OggOpusError) -> Bool {
        while buffer.count - position < count {
            if exhausted {
                if buffer.count > position { endedMidPage = true }
                return false
            }
            if position > 0 {
                buffer.removeFirst(position)
                bufferOffset += position
                position = 0
            }
            let more = try source.read()
            if more.isEmpty { exhausted = true } else { buffer.append(contentsOf: more) }
        }
        return true
    }
}
