/// Reads the TLS presentation language as MLS uses it (RFC 9420 §2.1): big-endian integers and
/// vectors whose length is a QUIC-style variable-length integer.
public struct TLSReader: Sendable {
    /// Longest vector accepted: bounds memory on hostile input; far above any DAVE structure.
    public static let maximumVectorLength = 1 << 24

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    private init(bytes: [UInt8], position: Int, end: Int) {
        self.bytes = bytes
        self.position = position
        self.end = end
    }

    public var isAtEnd: Bool { position == end }
    public var remainingCount: Int { end - position }

    /// The bytes read so far from `start` (a value of `offset` taken earlier) — for signatures over
    /// exactly the received encoding.
    public var offset: Int { position }
    public func bytes(from start: Int) -> [UInt8] { Array(bytes[start..<position]) }

    public mutating func readUInt8() throws -> UInt8 {
        guard position < end else { throw MLSCodecError.truncated }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readUInt16() throws -> UInt16 {
        UInt16(try readBigEndian(2))
    }

    public mutating func readUInt32() throws -> UInt32 {
        UInt32(try readBigEndian(4))
    }

    public mutating func readUInt64() throws -> UInt64 {
        try readBigEndian(8)
    }

    private mutating func readBigEndian(_ count: Int) throws -> UInt64 {
        guard remainingCount >= count else { throw MLSCodecError.truncated }
        var value: UInt64 = 0
        for index in position..<(position + count) { value = value << 8 | UInt64(bytes[index]) }
        position += count
        return value
    }

    public mutating func readBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, remainingCount >= count else { throw MLSCodecError.truncated }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// A variable-length integer (RFC 9420 §2.1.2): 1, 2 or 4 bytes, minimal encoding only.
    public mutating func readVarint() throws -> Int {
        let first = try readUInt8()
        let prefix = first >> 6
        var value = UInt32(first & 0x3F)
        let extra: Int
        switch prefix {
        case 0: extra = 0
        case 1: extra = 1
        case 2: extra = 3
        default: throw MLSCodecError.invalidLengthPrefix
        }
        for _ in 0..<extra { value = value << 8 | UInt32(try readUInt8()) }
        let minimalBytes = value < 64 ? 0 : (value < 16384 ? 1 : 3)
        guard extra == minimalBytes else { throw MLSCodecError.nonMinimalLength }
        return Int(value)
    }

    /// `opaque data<V>`.
    public mutating func readOpaque() throws -> [UInt8] {
        let length = try readVarint()
        guard length <= Self.maximumVectorLength else { throw MLSCodecError.lengthTooLong(length) }
        return try readBytes(length)
    }

    /// `T items<V>`: the body must hold whole items and nothing else.
    public mutating func readVector<T>(_ readItem: (inout TLSReader) throws -> T) throws -> [T] {
        let length = try readVarint()
        guard length <= Self.maximumVectorLength else { throw MLSCodecError.lengthTooLong(length) }
        guard remainingCount >= length else { throw MLSCodecError.truncated }
        var body = TLSReader(bytes: bytes, position: position, end: position + length)
        var items: [T] = []
        while !body.isAtEnd { items.append(try readItem(&body)) }
        position += length
        return items
    }

    /// `optional<T>`: a presence octet 0 or 1, then the value when present.
    public mutating func readOptional<T>(_ readItem: (inout TLSReader) throws -> T) throws -> T? {
        switch try readUInt8() {
        case 0: return nil
        case 1: return try readItem(&self)
        case let other: throw MLSCodecError.unknownValue("optional presence", UInt64(other))
        }
    }

    /// A closed enumeration encoded as an integer: unknown values are refused.
    public mutating func readEnum<E: RawRepresentable>(_ type: E.Type) throws -> E where E.RawValue == UInt8 {
        let raw = try readUInt8()
        guard let value = E(rawValue: raw) else { throw MLSCodecError.unknownValue(String(describing: E.self), UInt64(raw)) }
        return value
    }

    public mutating func readEnum<E: RawRepresentable>(_ type: E.Type) throws -> E where E.RawValue == UInt16 {
        let raw = try readUInt16()
        guard let value = E(rawValue: raw) else { throw MLSCodecError.unknownValue(String(describing: E.self), UInt64(raw)) }
        return value
    }

    public func requireEnd() throws {
        guard isAtEnd else { throw MLSCodecError.trailingBytes(remainingCount) }
    }
}
