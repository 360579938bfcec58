import MLS

/// A DAVE message from the voice gateway to a member (ops 21, 22, 24, 25, 27, 29, 30).
///
/// Binary ones travel as `u16 sequence (big-endian) | u8 opcode | payload`; JSON ones as
/// `{"op": N, "d": {...}}` (the JSON framing and `seq` belong to the voice gateway code; this type
/// encodes and decodes the `d` object). Decoding hostile bytes throws `DAVEError`, never traps.
public enum DAVEServerMessage: Hashable, Sendable {
    case prepareTransition(transitionID: UInt16, protocolVersion: UInt16)
    case executeTransition(transitionID: UInt16)
    case prepareEpoch(epoch: UInt64, protocolVersion: UInt16)
    case externalSender(ExternalSender)
    case proposals(DAVEProposals)
    case announceCommit(transitionID: UInt16, commit: MLSMessage)
    case welcome(transitionID: UInt16, welcome: Welcome)

    public var opcode: DAVEOpcode {
        switch self {
        case .prepareTransition: return .prepareTransition
        case .executeTransition: return .executeTransition
        case .prepareEpoch: return .prepareEpoch
        case .externalSender: return .externalSender
        case .proposals: return .proposals
        case .announceCommit: return .announceCommit
        case .welcome: return .welcome
        }
    }

    /// Decodes a binary server frame: sequence, opcode, payload.
    public static func decode(binaryFrame bytes: [UInt8]) throws -> (sequence: UInt16, message: DAVEServerMessage) {
        guard bytes.count >= 3 else { throw DAVEError.malformedMessage("binary frame of \(bytes.count) bytes") }
        let sequence = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        guard let opcode = DAVEOpcode(rawValue: bytes[2]), opcode.isBinary else { throw DAVEError.unexpectedOpcode(Int(bytes[2])) }
        return (sequence, try decode(opcode: opcode, payload: Array(bytes[3...])))
    }

    /// Decodes the payload (after sequence and opcode) of a binary server message.
    public static func decode(opcode: DAVEOpcode, payload: [UInt8]) throws -> DAVEServerMessage {
        try WireDecoding.decode(payload, opcode: opcode) { reader in
            switch opcode {
            case .externalSender:
                return .externalSender(try reader.read())
            case .proposals:
                return .proposals(try DAVEProposals(from: &reader))
            case .announceCommit:
                return .announceCommit(transitionID: try reader.readUInt16(), commit: try reader.read())
            case .welcome:
                return .welcome(transitionID: try reader.readUInt16(), welcome: try reader.read())
            default:
                throw DAVEError.unexpectedOpcode(Int(opcode.rawValue))
            }
        }
    }

    /// Decodes a JSON server message from its opcode and the JSON text of its `d` object.
    public static func decode(jsonOpcode: Int, data: [UInt8]) throws -> DAVEServerMessage {
        guard let opcode = DAVEOpcode(rawValue: UInt8(clamping: jsonOpcode)), Int(opcode.rawValue) == jsonOpcode, !opcode.isBinary else {
            throw DAVEError.unexpectedOpcode(jsonOpcode)
        }
        let fields = try JSONFields(data)
        switch opcode {
        case .prepareTransition:
            return .prepareTransition(transitionID: try fields.uint16("transition_id"), protocolVersion: try fields.uint16("protocol_version"))
        case .executeTransition:
            return .executeTransition(transitionID: try fields.uint16("transition_id"))
        case .prepareEpoch:
            return .prepareEpoch(epoch: try fields.uint64("epoch"), protocolVersion: try fields.uint16("protocol_version"))
        default:
            throw DAVEError.unexpectedOpcode(jsonOpcode)
        }
    }

    /// The binary frame (sequence, opcode, payload); throws for JSON opcodes.
    public func binaryFrame(sequence: UInt16) throws -> [UInt8] {
        var writer = TLSWriter()
        writer.write(sequence)
        writer.write(opcode.rawValue)
        switch self {
        case .externalSender(let sender): writer.write(sender)
        case .proposals(let proposals): proposals.encode(to: &writer)
        case .announceCommit(let transitionID, let commit):
            writer.write(transitionID)
            writer.write(commit)
        case .welcome(let transitionID, let welcome):
            writer.write(transitionID)
            writer.write(welcome)
        case .prepareTransition, .executeTransition, .prepareEpoch:
            throw DAVEError.unexpectedOpcode(Int(opcode.rawValue))
        }
        return writer.bytes
    }

    /// The JSON text of the `d` object; throws for binary opcodes.
    public func jsonData() throws -> [UInt8] {
        switch self {
        case .prepareTransition(let transitionID, let protocolVersion):
            return JSONFields.encode([("transition_id", UInt64(transitionID)), ("protocol_version", UInt64(protocolVersion))])
        case .executeTransition(let transitionID):
            return JSONFields.encode([("transition_id", UInt64(transitionID))])
        case .prepareEpoch(let epoch, let protocolVersion):
            return JSONFields.encode([("epoch", epoch), ("protocol_version", UInt64(protocolVersion))])
        default:
            throw DAVEError.unexpectedOpcode(Int(opcode.rawValue))
        }
    }
}

/// Op 27's body: `u8 operation` then `MLSMessage proposal_messages<V>` (append, 0) or
/// `ProposalRef proposal_refs<V>` (revoke, 1).
public enum DAVEProposals: Hashable, Sendable {
    case append([MLSMessage])
    case revoke([[UInt8]])

    init(from reader: inout TLSReader) throws {
        switch try reader.readUInt8() {
        case 0: self = .append(try reader.readVector { try $0.read() })
        case 1: self = .revoke(try reader.readVector { try $0.readOpaque() })
        case let other: throw DAVEError.malformedMessage("proposals operation \(other)")
        }
    }

    func encode(to writer: inout TLSWriter) {
        switch self {
        case .append(let messages):
            writer.write(UInt8(0))
            writer.writeVector(messages) { $0.write($1) }
        case .revoke(let references):
            writer.write(UInt8(1))
            writer.writeVector(references) { $0.writeOpaque($1) }
        }
    }
}
