/// The CRC-32 of an Ogg page (RFC 3533): polynomial 0x04C11DB7, initial value 0, no bit reflection
/// and no final XOR — not the zlib CRC, which reflects its bits.
enum OggCRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var remainder = UInt32(index) << 24
        for _ in 0..<8 {
            remainder = remainder & 0x8000_0000 != 0 ? (remainder << 1) ^ 0x04C1_1DB7 : remainder << 1
        }
        return remainder
    }

    /// Continues `crc` over `bytes`; start from 0 for a new page.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 24) ^ byte)]
            }
        }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }
}
