import MLS

/// The voice gateway's DAVE messages (ops 21–31), from the server's side: what it sends to a
/// member and what a member sends to it. JSON ops carry a `d` object; binary ops are
/// `[u16 seq][u8 op][payload]` towards the client (the sequence is added where the message is
/// sent, from the session's counter) and `[u8 op][payload]` from it.
enum DAVEServerMessage: Equatable, Sendable {
    case prepareTransition(transitionID: UInt16, protocolVersion: Int)
    case executeTransition(transitionID: UInt16)
    case prepareEpoch(epoch: UInt64, protocolVersion: Int)
    case externalSender(ExternalSender)
    case proposals(append: [MLSMessage])
    case revokeProposals(references: [[UInt8]])
    case announceCommit(transitionID: UInt16, commit: MLSMessage)
    case welcome(transitionID: UInt16, welcome: Welcome)

    static let prepareTransitionOp = 21
    static let executeTransitionOp = 22
    static let prepareEpochOp = 24
    static let externalSenderOp = 25
    static let proposalsOp = 27
    static let announceCommitOp = 29
    static let welcomeOp = 30

    var op: Int {
        switch self {
        case .prepareTransition: Self.prepareTransitionOp
        case .executeTransition: Self.executeTransitionOp
        case .prepareEpoch: Self.prepareEpochOp
        case .externalSender: Self.externalSenderOp
        case .proposals, .revokeProposals: Self.proposalsOp
        case .announceCommit: Self.announceCommitOp
        case .welcome: Self.welcomeOp
        }
    }

    /// The JSON `d` of ops 21, 22 and 24; nil for the binary ops.
    var json: WireJSON? {
        switch self {
        case .prepareTransition(let id, let version):
            ["transition_id": .int(Int64(id)), "protocol_version": .int(Int64(version))]
        case .executeTransition(let id):
            ["transition_id": .int(Int64(id))]
        case .prepareEpoch(let epoch, let version):
            ["epoch": .int(Int64(clamping: epoch)), "protocol_version": .int(Int64(version))]
        default:
            nil
        }
    }

    /// The bytes after the binary header of ops 25, 27, 29 and 30; nil for the JSON ops.
    var binaryPayload: [UInt8]? {
        var writer = TLSWriter()
        switch self {
        case .externalSender(let sender):
            sender.encode(to: &writer)
        case .proposals(let messages):
            writer.write(UInt8(0))  // append
            writer.writeOpaque(messages.flatMap(\.encoded))
        case .revokeProposals(let references):
            writer.write(UInt8(1))  // revoke
            var refs = TLSWriter()
            for reference in references { refs.writeOpaque(reference) }
            writer.writeOpaque(refs.bytes)
        case .announceCommit(let id, let commit):
            writer.write(id)
            commit.encode(to: &writer)
        case .welcome(let id, let welcome):
            writer.write(id)
            welcome.encode(to: &writer)
        default:
            return nil
        }
        return writer.bytes
    }
}

/// What a member sends the voice gateway about DAVE.
enum DAVEClientMessage: Equatable, Sendable {
    case readyForTransition(transitionID: UInt16)
    case invalidCommitWelcome(transitionID: UInt16)
    case keyPackage(KeyPackage)
    /// A commit, and the Welcome that goes with it when it adds members.
    case commitWelcome(commit: MLSMessage, welcome: Welcome?)

    static let readyForTransitionOp = 23
    static let keyPackageOp = 26
    static let commitWelcomeOp = 28
    static let invalidCommitWelcomeOp = 31

    static let jsonOps: Set<Int> = [readyForTransitionOp, invalidCommitWelcomeOp]
    static let binaryOps: Set<Int> = [keyPackageOp, commitWelcomeOp]

    /// A JSON op's `d`; nil when it is not a usable op 23 or 31.
    static func parse(op: Int, d: WireJSON) -> DAVEClientMessage? {
        guard let raw = d["transition_id"]?.int64Value, let id = UInt16(exactly: raw) else { return nil }
        switch op {
        case readyForTransitionOp: return .readyForTransition(transitionID: id)
        case invalidCommitWelcomeOp: return .invalidCommitWelcome(transitionID: id)
        default: return nil
        }
    }

    /// A binary frame (`[u8 op][payload]`); nil when it does not decode.
    static func parse(binary frame: [UInt8]) -> DAVEClientMessage? {
        guard let op = frame.first.map(Int.init) else { return nil }
        let payload = Array(frame.dropFirst())
        switch op {
        case keyPackageOp:
            // A bare KeyPackage (what libdave and davey send), or one wrapped in an MLSMessage
            // (as the protocol description draws it).
            if let keyPackage = try? KeyPackage(decoding: payload) { return .keyPackage(keyPackage) }
            if let message = try? MLSMessage(decoding: payload), case .keyPackage(let keyPackage) = message.body {
                return .keyPackage(keyPackage)
            }
            return nil
        case commitWelcomeOp:
            // The commit, then the Welcome with no length between them.
            var reader = TLSReader(payload)
            guard let commit = try? MLSMessage(from: &reader) else { return nil }
            if reader.isAtEnd { return .commitWelcome(commit: commit, welcome: nil) }
            guard let welcome = try? Welcome(from: &reader), reader.isAtEnd else { return nil }
            return .commitWelcome(commit: commit, welcome: welcome)
        default:
            return nil
        }
    }
}
