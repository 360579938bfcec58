/// Unsigned LEB128 (little-endian base 128), the encoding of the frame footer's nonce and
/// unencrypted ranges: 7 bits a byte, lowest group first, high bit set on all but the last.
enum ULEB128 {
    static func size(of value: UInt64) -> Int {
        var value = value
        var count = 1
        while value >= 0x80 {
            value >>= 7
            count += 1
        }
        return count
    }

    static func write(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }

    /// Reads one value from `bytes` starting at `position`, advancing it. Returns nil when the
    /// bytes end first or the value does not fit 64 bits (hostile input never traps).
    static func read(_ bytes: UnsafeRawBufferPointer, at position: inout Int, end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = bytes[position]
            position += 1
            let bits = UInt64(byte & 0x7F)
            if shift == 63 && bits > 1 { return nil }
            value |= bits << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }
}
