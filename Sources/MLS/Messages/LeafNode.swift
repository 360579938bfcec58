/// Where a leaf node came from (§7.2), with what that source adds to the node.
public enum LeafNodeSource: Hashable, Sendable {
    case keyPackage(Lifetime)
    case update
    case commit(parentHash: [UInt8])

    var rawValue: UInt8 {
        switch self {
        case .keyPackage: return 1
        case .update: return 2
        case .commit: return 3
        }
    }
}

/// LeafNode (§7.2): a member's keys, credential and capabilities, signed by the member.
public struct LeafNode: Hashable, Sendable, MLSCodable {
    public var encryptionKey: [UInt8]
    public var signatureKey: [UInt8]
    public var credential: Credential
    public var capabilities: Capabilities
    public var source: LeafNodeSource
    public var extensions: [Extension]
    public var signature: [UInt8]

    public init(encryptionKey: [UInt8], signatureKey: [UInt8], credential: Credential, capabilities: Capabilities,
                source: LeafNodeSource, extensions: [Extension], signature: [UInt8] = []) {
        self.encryptionKey = encryptionKey
        self.signatureKey = signatureKey
        self.credential = credential
        self.capabilities = capabilities
        self.source = source
        self.extensions = extensions
        self.signature = signature
    }

    public var parentHash: [UInt8]? {
        if case .commit(let parentHash) = source { return parentHash }
        return nil
    }

    public init(from reader: inout TLSReader) throws {
        encryptionKey = try reader.readOpaque()
        signatureKey = try reader.readOpaque()
        credential = try reader.read()
        capabilities = try reader.read()
        let sourceType = try reader.readUInt8()
        switch sourceType {
        case 1: source = .keyPackage(try reader.read())
        case 2: source = .update
        case 3: source = .commit(parentHash: try reader.readOpaque())
        default: throw MLSCodecError.unknownValue("LeafNodeSource", UInt64(sourceType))
        }
        extensions = try reader.readVector()
        signature = try reader.readOpaque()
    }

    private func encodeContent(to writer: inout TLSWriter) {
        writer.writeOpaque(encryptionKey)
        writer.writeOpaque(signatureKey)
        writer.write(credential)
        writer.write(capabilities)
        writer.write(source.rawValue)
        switch source {
        case .keyPackage(let lifetime): writer.write(lifetime)
        case .update: break
        case .commit(let parentHash): writer.writeOpaque(parentHash)
        }
        writer.writeVector(extensions)
    }

    public func encode(to writer: inout TLSWriter) {
        encodeContent(to: &writer)
        writer.writeOpaque(signature)
    }

    /// LeafNodeTBS: update and commit leaves are bound to the group and their position.
    func toBeSigned(groupID: [UInt8], leafIndex: UInt32) -> [UInt8] {
        var writer = TLSWriter()
        encodeContent(to: &writer)
        switch source {
        case .keyPackage: break
        case .update, .commit:
            writer.writeOpaque(groupID)
            writer.write(leafIndex)
        }
        return writer.bytes
    }

    public mutating func sign(suite: CipherSuite, privateKey: [UInt8], groupID: [UInt8], leafIndex: UInt32) throws {
        signature = try suite.signWithLabel(privateKey: privateKey, label: "LeafNodeTBS",
                                            content: toBeSigned(groupID: groupID, leafIndex: leafIndex))
    }

    public func verifySignature(suite: CipherSuite, groupID: [UInt8], leafIndex: UInt32) -> Bool {
        suite.verifyWithLabel(publicKey: signatureKey, label: "LeafNodeTBS",
                              content: toBeSigned(groupID: groupID, leafIndex: leafIndex), signature: signature)
    }
}

/// ParentNode (§7.1).
public struct ParentNode: Hashable, Sendable, MLSCodable {
    public var encryptionKey: [UInt8]
    public var parentHash: [UInt8]
    /// Leaves added below this node since its key was set (they do not know its private key).
    public var unmergedLeaves: [UInt32]

    public init(encryptionKey: [UInt8], parentHash: [UInt8], unmergedLeaves: [UInt32]) {
        self.encryptionKey = encryptionKey
        self.parentHash = parentHash
        self.unmergedLeaves = unmergedLeaves
    }

    public init(from reader: inout TLSReader) throws {
        encryptionKey = try reader.readOpaque()
        parentHash = try reader.readOpaque()
        unmergedLeaves = try reader.readUInt32Vector()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(encryptionKey)
        writer.writeOpaque(parentHash)
        writer.writeVector(unmergedLeaves) { $0.write($1) }
    }
}

/// Node (§12.4.3.3): a leaf or a parent.
public enum Node: Hashable, Sendable, MLSCodable {
    case leaf(LeafNode)
    case parent(ParentNode)

    public var encryptionKey: [UInt8] {
        switch self {
        case .leaf(let leaf): return leaf.encryptionKey
        case .parent(let parent): return parent.encryptionKey
        }
    }

    public init(from reader: inout TLSReader) throws {
        let type = try reader.readUInt8()
        switch type {
        case 1: self = .leaf(try reader.read())
        case 2: self = .parent(try reader.read())
        default: throw MLSCodecError.unknownValue("NodeType", UInt64(type))
        }
    }

    public func encode(to writer: inout TLSWriter) {
        switch self {
        case .leaf(let leaf):
            writer.write(UInt8(1))
            writer.write(leaf)
        case .parent(let parent):
            writer.write(UInt8(2))
            writer.write(parent)
        }
    }
}

/// UpdatePathNode and UpdatePath (§7.6).
public struct UpdatePathNode: Hashable, Sendable, MLSCodable {
    public var encryptionKey: [UInt8]
    public var encryptedPathSecret: [HPKECiphertext]

    public init(encryptionKey: [UInt8], encryptedPathSecret: [HPKECiphertext]) {
        self.encryptionKey = encryptionKey
        self.encryptedPathSecret = encryptedPathSecret
    }

    public init(from reader: inout TLSReader) throws {
        encryptionKey = try reader.readOpaque()
        encryptedPathSecret = try reader.readVector()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(encryptionKey)
        writer.writeVector(encryptedPathSecret)
    }
}

public struct UpdatePath: Hashable, Sendable, MLSCodable {
    public var leafNode: LeafNode
    public var nodes: [UpdatePathNode]

    public init(leafNode: LeafNode, nodes: [UpdatePathNode]) {
        self.leafNode = leafNode
        self.nodes = nodes
    }

    public init(from reader: inout TLSReader) throws {
        leafNode = try reader.read()
        nodes = try reader.readVector()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(leafNode)
        writer.writeVector(nodes)
    }
}
