/// What a `DAVESession` asks of its connection after taking an input, in order.
public enum DAVESessionEvent: Hashable, Sendable {
    /// Send this message to the voice gateway (binary or JSON per its opcode).
    case send(DAVEClientMessage)
    /// The encryptor switched keys: `epoch` is the group epoch our frames are now encrypted in,
    /// nil when frames now go out unencrypted (protocol version 0 or no group yet).
    case sendingKeyChanged(epoch: UInt64?)
    /// We are in a new group epoch (a commit or Welcome was processed), with its privacy code.
    case groupChanged(epoch: UInt64, privacyCode: String)
    /// The protocol version in force changed (after execute_transition, or at once for transition 0).
    case protocolVersionChanged(UInt16)
    /// A commit or Welcome could not be processed: op 31 and a fresh key package are among these
    /// events, and the group was reset. Carries why, for logs.
    case recovering(reason: DAVEError)
}
