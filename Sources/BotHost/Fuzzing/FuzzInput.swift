/// Reads a fuzzer's flat byte string as a sequence of records, so one input can drive a parser
/// through several steps (frames of a connection, datagrams of a call): each record is a kind byte,
/// a big-endian 16-bit length and that many bytes (fewer when the input ends first).
@_spi(Fuzzing) public struct FuzzInput {
    private let bytes: [UInt8]
    private var index = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next record, or nil when the input is used up.
    public mutating func next() -> (kind: UInt8, body: [UInt8])? {
        guard index < bytes.count else { return nil }
        let kind = bytes[index]
        let high = index + 1 < bytes.count ? Int(bytes[index + 1]) : 0
        let low = index + 2 < bytes.count ? Int(bytes[index + 2]) : 0
        let start = min(index + 3, bytes.count)
        let end = min(start + (high << 8 | low), bytes.count)
        index = end
        return (kind, Array(bytes[start..<end]))
    }

    /// Writes records in the layout `next()` reads: used to build seed inputs and regression cases.
    public static func encode(_ records: [(kind: UInt8, body: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for record in records {
            let length = min(record.body.count, Int(UInt16.max))
            out.append(record.kind)
            out.append(UInt8(length >> 8))
            out.append(UInt8(length & 0xFF))
            out.append(contentsOf: record.body.prefix(length))
        }
        return out
    }
}
