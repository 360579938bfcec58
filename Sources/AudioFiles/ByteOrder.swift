/// Little-endian field helpers for the RIFF and Ogg formats, which store every integer that way.
extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var little = value.littleEndian
        Swift.withUnsafeBytes(of: &little) { append(contentsOf: $0) }
    }

    /// Reads a little-endian integer at `offset`, or nil when the bytes run out.
    func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= count - size else { return nil }
        var value: T = 0
        for i in 0..<size { value |= T(truncatingIfNeeded: self[offset + i]) << (8 * i) }
        return value
    }
}

extension ArraySlice where Element == UInt8 {
    /// Reads a little-endian integer at absolute index `offset`, or nil when the bytes run out.
    func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= startIndex, offset <= endIndex - size else { return nil }
        var value: T = 0
        for i in 0..<size { value |= T(truncatingIfNeeded: self[offset + i]) << (8 * i) }
        return value
    }
}
