import MLS

/// A DAVE message from a member to the voice gateway (ops 23, 26, 28, 31).
///
/// Binary ones travel as `u8 opcode | payload` (no sequence number); JSON ones as
/// `{"op": N, "d": {...}}`, of which this type encodes and decodes the `d` object.
public enum DAVEClientMessage: Hashable, Sendable {
    case readyForTransition(transitionID: UInt16)
    /// Our KeyPackage, bare (not wrapped in an MLSMessage): what libdave and davey send.
    case keyPackage(KeyPackage)
    /// Our commit (an MLSMessage) immediately followed by the Welcome when it adds anyone.
    case commitWelcome(commit: MLSMessage, welcome: Welcome?)
    case invalidCommitWelcome(transitionID: UInt16)

    public var opcode: DAVEOpcode {
        switch self {
        case .readyForTransition: return .readyForTransition
        case .keyPackage: return .keyPackage
        case .commitWelcome: return .commitWelcome
        case .invalidCommitWelcome: return .invalidCommitWelcome
        }
    }

    /// Decodes a binary client frame: opcode, payload.
    public static func decode(binaryFrame bytes: [UInt8]) throws -> DAVEClientMessage {
        guard let first = bytes.first else { throw DAVEError.malformedMessage("empty binary frame") }
        guard let opcode = DAVEOpcode(rawValue: first), opcode.isBinary else { throw DAVEError.unexpectedOpcode(Int(first)) }
        return try WireDecoding.decode(Array(bytes.dropFirst()), opcode: opcode) { reader in
            switch opcode {
            case .keyPackage:
                return .keyPackage(try reader.read())
            case .commitWelcome:
                let commit: MLSMessage = try reader.read()
                return .commitWelcome(commit: commit, welcome: reader.isAtEnd ? nil : try reader.read())
            default:
                throw DAVEError.unexpectedOpcode(Int(opcode.rawValue))
            }
        }
    }

    /// Decodes a JSON client message from its opcode and the JSON text of its `d` object.
    public static func decode(jsonOpcode: Int, data: [UInt8]) throws -> DAVEClientMessage {
        let fields = try JSONFields(data)
        switch jsonOpcode {
        case Int(DAVEOpcode.readyForTransition.rawValue):
            return .readyForTransition(transitionID: try fields.uint16("transition_id"))
        case Int(DAVEOpcode.invalidCommitWelcome.rawValue):
            return .invalidCommitWelcome(transitionID: try fields.uint16("transition_id"))
        default:
            throw DAVEError.unexpectedOpcode(jsonOpcode)
        }
    }

    /// The binary frame (opcode, payload); throws for JSON opcodes.
    public func binaryFrame() throws -> [UInt8] {
        var writer = TLSWriter()
        writer.write(opcode.rawValue)
        switch self {
        case .keyPackage(let keyPackage): writer.write(keyPackage)
        case .commitWelcome(let commit, let welcome):
            writer.write(commit)
            if let welcome { writer.write(welcome) }
        case .readyForTransition, .invalidCommitWelcome:
            throw DAVEError.unexpectedOpcode(Int(opcode.rawValue))
        }
        return writer.bytes
    }

    /// The JSON text of the `d` object; throws for binary opcodes.
    public func jsonData() throws -> [UInt8] {
        switch self {
        case .readyForTransition(let transitionID), .invalidCommitWelcome(let transitionID):
            return JSONFields.encode([("transition_id", UInt64(transitionID))])
        case .keyPackage, .commitWelcome:
            throw DAVEError.unexpectedOpcode(Int(opcode.rawValue))
        }
    }
}
