/// PreSharedKeyID (§8.4). Decoded so messages naming PSKs can be read; PSKs themselves are outside
/// the implemented subset and refused when processed.
public struct PreSharedKeyID: Hashable, Sendable, MLSCodable {
    public enum Kind: Hashable, Sendable {
        case external(pskID: [UInt8])
        case resumption(usage: UInt8, groupID: [UInt8], epoch: UInt64)
    }

    public var kind: Kind
    public var nonce: [UInt8]

    public init(from reader: inout TLSReader) throws {
        let type = try reader.readUInt8()
        switch type {
        case 1: kind = .external(pskID: try reader.readOpaque())
        case 2:
            let usage = try reader.readUInt8()
            guard (1...3).contains(usage) else { throw MLSCodecError.unknownValue("ResumptionPSKUsage", UInt64(usage)) }
            kind = .resumption(usage: usage, groupID: try reader.readOpaque(), epoch: try reader.readUInt64())
        default: throw MLSCodecError.unknownValue("PSKType", UInt64(type))
        }
        nonce = try reader.readOpaque()
    }

    public func encode(to writer: inout TLSWriter) {
        switch kind {
        case .external(let pskID):
            writer.write(UInt8(1))
            writer.writeOpaque(pskID)
        case .resumption(let usage, let groupID, let epoch):
            writer.write(UInt8(2))
            writer.write(usage)
            writer.writeOpaque(groupID)
            writer.write(epoch)
        }
        writer.writeOpaque(nonce)
    }
}

/// ReInit (§12.1.5), decoded only to be refused when processed.
public struct ReInit: Hashable, Sendable, MLSCodable {
    public var groupID: [UInt8]
    public var version: ProtocolVersion
    public var cipherSuite: UInt16
    public var extensions: [Extension]

    public init(from reader: inout TLSReader) throws {
        groupID = try reader.readOpaque()
        version = try reader.readEnum(ProtocolVersion.self)
        cipherSuite = try reader.readUInt16()
        extensions = try reader.readVector()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        writer.write(version.rawValue)
        writer.write(cipherSuite)
        writer.writeVector(extensions)
    }
}

/// Proposal (§12.1). Add and Remove are what DAVE uses; the others decode, and are refused when a
/// commit would apply them.
public enum Proposal: Hashable, Sendable, MLSCodable {
    case add(KeyPackage)
    case update(LeafNode)
    case remove(leafIndex: UInt32)
    case preSharedKey(PreSharedKeyID)
    case reInit(ReInit)
    case externalInit(kemOutput: [UInt8])
    case groupContextExtensions([Extension])

    public var proposalType: UInt16 {
        switch self {
        case .add: return 1
        case .update: return 2
        case .remove: return 3
        case .preSharedKey: return 4
        case .reInit: return 5
        case .externalInit: return 6
        case .groupContextExtensions: return 7
        }
    }

    public init(from reader: inout TLSReader) throws {
        let type = try reader.readUInt16()
        switch type {
        case 1: self = .add(try reader.read())
        case 2: self = .update(try reader.read())
        case 3: self = .remove(leafIndex: try reader.readUInt32())
        case 4: self = .preSharedKey(try reader.read())
        case 5: self = .reInit(try reader.read())
        case 6: self = .externalInit(kemOutput: try reader.readOpaque())
        case 7: self = .groupContextExtensions(try reader.readVector())
        default: throw MLSCodecError.unknownValue("ProposalType", UInt64(type))
        }
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(proposalType)
        switch self {
        case .add(let keyPackage): writer.write(keyPackage)
        case .update(let leafNode): writer.write(leafNode)
        case .remove(let leafIndex): writer.write(leafIndex)
        case .preSharedKey(let psk): writer.write(psk)
        case .reInit(let reInit): writer.write(reInit)
        case .externalInit(let kemOutput): writer.writeOpaque(kemOutput)
        case .groupContextExtensions(let extensions): writer.writeVector(extensions)
        }
    }
}

/// ProposalOrRef (§12.4): a proposal inline, or the ProposalRef of one sent before.
public enum ProposalOrRef: Hashable, Sendable, MLSCodable {
    case proposal(Proposal)
    case reference([UInt8])

    public init(from reader: inout TLSReader) throws {
        let type = try reader.readUInt8()
        switch type {
        case 1: self = .proposal(try reader.read())
        case 2: self = .reference(try reader.readOpaque())
        default: throw MLSCodecError.unknownValue("ProposalOrRefType", UInt64(type))
        }
    }

    public func encode(to writer: inout TLSWriter) {
        switch self {
        case .proposal(let proposal):
            writer.write(UInt8(1))
            writer.write(proposal)
        case .reference(let reference):
            writer.write(UInt8(2))
            writer.writeOpaque(reference)
        }
    }
}

/// Commit (§12.4).
public struct Commit: Hashable, Sendable, MLSCodable {
    public var proposals: [ProposalOrRef]
    public var path: UpdatePath?

    public init(proposals: [ProposalOrRef], path: UpdatePath?) {
        self.proposals = proposals
        self.path = path
    }

    public init(from reader: inout TLSReader) throws {
        proposals = try reader.readVector()
        path = try reader.readOptional()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeVector(proposals)
        writer.writeOptional(path)
    }
}
