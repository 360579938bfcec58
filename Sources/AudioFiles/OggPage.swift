/// The flags in an Ogg page header (RFC 3533 §6).
struct OggPageFlags: OptionSet, Sendable {
    let rawValue: UInt8
    /// The page's first segment continues a packet begun on the previous page.
    static let continued = OggPageFlags(rawValue: 0x01)
    /// First page of a logical stream.
    static let beginningOfStream = OggPageFlags(rawValue: 0x02)
    /// Last page of a logical stream.
    static let endOfStream = OggPageFlags(rawValue: 0x04)
}

/// One Ogg page: a header, a lacing table and the segment bytes it describes.
struct OggPage: Sendable {
    static let capturePattern: [UInt8] = Array("OggS".utf8)
    static let headerLength = 27
    static let maxSegments = 255
    /// Granule position of a page on which no packet ends.
    static let noGranule: Int64 = -1

    var flags: OggPageFlags
    var granulePosition: Int64
    var serialNumber: UInt32
    var sequenceNumber: UInt32
    var lacingValues: [UInt8]
    var body: [UInt8]

    /// The page as it goes into the file, CRC filled in.
    func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerLength + lacingValues.count + body.count)
        bytes.append(contentsOf: Self.capturePattern)
        bytes.append(0)  // stream structure version
        bytes.append(flags.rawValue)
        bytes.appendLittleEndian(UInt64(bitPattern: granulePosition))
        bytes.appendLittleEndian(serialNumber)
        bytes.appendLittleEndian(sequenceNumber)
        bytes.appendLittleEndian(UInt32(0))  // CRC, computed over the page with this field zero
        bytes.append(UInt8(lacingValues.count))
        bytes.append(contentsOf: lacingValues)
        bytes.append(contentsOf: body)
        let crc = OggCRC32.checksum(bytes)
        for i in 0..<4 { bytes[22 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        return bytes
    }
}
