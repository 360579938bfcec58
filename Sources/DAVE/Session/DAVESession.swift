import MLS

/// One member's DAVE protocol state for one voice connection, independent of the transport: the
/// voice gateway code feeds it the server's DAVE messages, who is in the call (ops 11 and 13) and
/// the protocol version (op 4), and sends what the returned events say.
///
/// Thread contract: not `Sendable`; owned by the connection's gateway task (or an actor), which
/// calls every method. The media paths use the `Sendable` objects it hands out: `encryptor` (the
/// send path's thread) and `decryptor(for:)` (the receive path's), each locked on its own. Their
/// identity never changes; the session installs keys into them at transitions.
public final class DAVESession {
    /// The highest protocol version implemented (Identify's `max_dave_protocol_version`).
    public static let maxProtocolVersion: UInt16 = 1

    public let userID: UInt64
    public let channelID: UInt64
    /// Encrypts our frames; passthrough until the first transition to an epoch executes.
    public let encryptor: DAVEFrameEncryptor
    let clock: DAVEClock

    /// The protocol version in force (0: no end-to-end encryption, frames pass through).
    public internal(set) var protocolVersion: UInt16 = 0

    /// A session for `userID` in `channelID` (the MLS group id is the channel id, big-endian).
    public init(userID: UInt64, channelID: UInt64, clock: DAVEClock = .system) {
        self.userID = userID
        self.channelID = channelID
        self.clock = clock
        self.encryptor = DAVEFrameEncryptor()
    }

    /// The epoch of the established group, nil before one exists (or after a reset).
    public var epoch: UInt64? { nil }

    /// The voice privacy code of the current epoch (30 digits), nil without an established group.
    public var privacyCode: String? { nil }

    /// The users expected in the call besides us (from ops 11 and 13).
    public var expectedUsers: Set<UInt64> { [] }

    /// The user ids of the established group's members (us included), in leaf order.
    public var members: [UInt64] { [] }

    /// The decryptor for `userID`'s frames, created on first use and kept for the session.
    public func decryptor(for userID: UInt64) -> DAVEFrameDecryptor {
        DAVEFrameDecryptor(clock: clock)
    }

    /// Op 4 (select_protocol_ack) and every (re)connect: starts afresh at `protocolVersion`; with
    /// a non-zero version, the events hold a new key package to send.
    public func start(protocolVersion: UInt16) throws -> [DAVESessionEvent] {
        throw DAVEError.notImplemented("DAVESession.start")
    }

    /// Op 11: these users connected to the call; Adds for them are accepted from now on.
    public func clientsConnected(_ userIDs: [UInt64]) {}

    /// Op 13: this user disconnected; Adds for them are refused until they connect again.
    public func clientDisconnected(_ userID: UInt64) {}

    /// A DAVE message from the voice gateway. Throws when the message is refused as a whole (a
    /// proposal for a user not expected, a message the state cannot take): nothing changed and
    /// nothing is to be sent. Unprocessable commits and Welcomes do not throw: they return the
    /// recovery (op 31, reset, fresh key package) as events.
    public func receive(_ message: DAVEServerMessage) throws -> [DAVESessionEvent] {
        throw DAVEError.notImplemented("DAVESession.receive")
    }

    // MARK: Identities

    /// A user id as a basic credential's identity (and a channel id as the group id): 8 bytes, big-endian.
    static func identity(_ id: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: id >> (56 - 8 * UInt64($0))) }
    }

    static func userID(fromIdentity identity: [UInt8]) -> UInt64? {
        guard identity.count == 8 else { return nil }
        return identity.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
