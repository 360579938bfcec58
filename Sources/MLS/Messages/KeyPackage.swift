/// KeyPackage (§10): what a client publishes so others can add it to a group.
public struct KeyPackage: Hashable, Sendable, MLSCodable {
    public var version: ProtocolVersion
    public var cipherSuite: UInt16
    public var initKey: [UInt8]
    public var leafNode: LeafNode
    public var extensions: [Extension]
    public var signature: [UInt8]

    public init(version: ProtocolVersion = .mls10, cipherSuite: UInt16, initKey: [UInt8], leafNode: LeafNode,
                extensions: [Extension], signature: [UInt8] = []) {
        self.version = version
        self.cipherSuite = cipherSuite
        self.initKey = initKey
        self.leafNode = leafNode
        self.extensions = extensions
        self.signature = signature
    }

    public init(from reader: inout TLSReader) throws {
        version = try reader.readEnum(ProtocolVersion.self)
        cipherSuite = try reader.readUInt16()
        initKey = try reader.readOpaque()
        leafNode = try reader.read()
        extensions = try reader.readVector()
        signature = try reader.readOpaque()
    }

    private func encodeContent(to writer: inout TLSWriter) {
        writer.write(version.rawValue)
        writer.write(cipherSuite)
        writer.writeOpaque(initKey)
        writer.write(leafNode)
        writer.writeVector(extensions)
    }

    public func encode(to writer: inout TLSWriter) {
        encodeContent(to: &writer)
        writer.writeOpaque(signature)
    }

    var toBeSigned: [UInt8] {
        var writer = TLSWriter()
        encodeContent(to: &writer)
        return writer.bytes
    }
}
