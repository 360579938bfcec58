/// Writes the TLS presentation language as MLS uses it (RFC 9420 §2.1); the inverse of `TLSReader`.
public struct TLSWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: UInt16) { writeBigEndian(UInt64(value), count: 2) }
    public mutating func write(_ value: UInt32) { writeBigEndian(UInt64(value), count: 4) }
    public mutating func write(_ value: UInt64) { writeBigEndian(value, count: 8) }
    public mutating func writeRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    private mutating func writeBigEndian(_ value: UInt64, count: Int) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// The minimal variable-length integer for `value` (below 2^30, which `TLSReader` bounds far lower).
    public mutating func writeVarint(_ value: Int) {
        precondition(value >= 0 && value < 1 << 30, "MLS lengths are below 2^30")
        if value < 64 {
            bytes.append(UInt8(value))
        } else if value < 16384 {
            writeBigEndian(UInt64(value) | 0x4000, count: 2)
        } else {
            writeBigEndian(UInt64(value) | 0x8000_0000, count: 4)
        }
    }

    public mutating func writeOpaque(_ data: [UInt8]) {
        writeVarint(data.count)
        bytes.append(contentsOf: data)
    }

    public mutating func writeVector<T>(_ items: [T], _ writeItem: (inout TLSWriter, T) -> Void) {
        var body = TLSWriter()
        for item in items { writeItem(&body, item) }
        writeOpaque(body.bytes)
    }

    public mutating func writeOptional<T>(_ item: T?, _ writeItem: (inout TLSWriter, T) -> Void) {
        if let item {
            write(UInt8(1))
            writeItem(&self, item)
        } else {
            write(UInt8(0))
        }
    }
}
