/// A structure with one encoding in the TLS presentation language.
public protocol MLSEncodable {
    func encode(to writer: inout TLSWriter)
}

public protocol MLSDecodable {
    init(from reader: inout TLSReader) throws
}

public typealias MLSCodable = MLSEncodable & MLSDecodable

extension MLSEncodable {
    /// The structure's encoding.
    public var encoded: [UInt8] {
        var writer = TLSWriter()
        encode(to: &writer)
        return writer.bytes
    }
}

extension MLSDecodable {
    /// Decodes a structure that must fill `bytes` exactly: trailing bytes are an error.
    public init(decoding bytes: [UInt8]) throws {
        var reader = TLSReader(bytes)
        try self.init(from: &reader)
        try reader.requireEnd()
    }
}

extension TLSWriter {
    public mutating func write<T: MLSEncodable>(_ value: T) { value.encode(to: &self) }
    public mutating func writeVector<T: MLSEncodable>(_ items: [T]) { writeVector(items) { $0.write($1) } }
    public mutating func writeOptional<T: MLSEncodable>(_ item: T?) { writeOptional(item) { $0.write($1) } }
}

extension TLSReader {
    public mutating func read<T: MLSDecodable>(_ type: T.Type = T.self) throws -> T { try T(from: &self) }
    public mutating func readVector<T: MLSDecodable>(_ type: T.Type = T.self) throws -> [T] { try readVector { try T(from: &$0) } }
    public mutating func readOptional<T: MLSDecodable>(_ type: T.Type = T.self) throws -> T? { try readOptional { try T(from: &$0) } }
    public mutating func readUInt16Vector() throws -> [UInt16] { try readVector { try $0.readUInt16() } }
    public mutating func readUInt32Vector() throws -> [UInt32] { try readVector { try $0.readUInt32() } }
}
