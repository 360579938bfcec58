/// The voice gateway opcodes DAVE adds (protocol v1.1, "Voice Gateway Opcodes").
public enum DAVEOpcode: UInt8, Sendable, CaseIterable {
    /// JSON, server → client: {transition_id, protocol_version}; transition 0 executes at once.
    case prepareTransition = 21
    /// JSON, server → client: {transition_id}.
    case executeTransition = 22
    /// JSON, client → server: {transition_id}.
    case readyForTransition = 23
    /// JSON, server → client: {epoch, protocol_version}; epoch 1 means a new group.
    case prepareEpoch = 24
    /// Binary, server → client: the gateway's ExternalSender.
    case externalSender = 25
    /// Binary, client → server: our KeyPackage.
    case keyPackage = 26
    /// Binary, server → client: proposals to append, or references to revoke.
    case proposals = 27
    /// Binary, client → server: our commit and, when it adds members, the Welcome.
    case commitWelcome = 28
    /// Binary, server → client: the winning commit of the epoch, with its transition id.
    case announceCommit = 29
    /// Binary, server → client: the Welcome that adds us, with its transition id.
    case welcome = 30
    /// JSON, client → server: {transition_id} of a commit or Welcome we could not process.
    case invalidCommitWelcome = 31

    /// Whether the opcode travels as a binary WebSocket message (else JSON text).
    public var isBinary: Bool {
        switch self {
        case .externalSender, .keyPackage, .proposals, .commitWelcome, .announceCommit, .welcome: return true
        case .prepareTransition, .executeTransition, .readyForTransition, .prepareEpoch, .invalidCommitWelcome: return false
        }
    }
}
