/// A voice session's DAVE call as the emulated voice gateway sees it, for tests.
public struct EmulatedDAVECall: Sendable, Equatable {
    /// The protocol version chosen at Identify (0: transport encryption only).
    public var protocolVersion: Int
    /// The established group's epoch (0 while the group is being created).
    public var epoch: UInt64
    /// Users holding a leaf of the established group, by leaf index.
    public var members: [UInt64]
    /// Users whose key package waits to be added.
    public var pendingUsers: [UInt64]
    public var acceptedCommits: Int
    public var executedTransitions: Int
    /// Commits and key packages the gateway would not take, with why.
    public var refusals: [String]
    /// Users that reported an invalid commit or Welcome (op 31), in order.
    public var invalidReports: [UInt64]
    /// The simulated users in the call, as DAVE members.
    public var simulatedMembers: [UInt64: EmulatedDAVEMember]
    /// The bot's frames that were not DAVE frames (silence aside): media sent unencrypted into
    /// an end-to-end encrypted call. Must stay 0.
    public var unprotectedFramesFromBot: Int
    /// The bot's DAVE frames no simulated user in the call could open: encrypted before the group
    /// was ready, or with a stale epoch. Must stay 0 while the bot only sends with a ready group.
    public var unopenableFramesFromBot: Int
    /// The bot's DAVE frames sent while no simulated user was in the call.
    public var unheardFramesFromBot: Int
}

/// A simulated user's side of DAVE.
public struct EmulatedDAVEMember: Sendable, Equatable {
    /// The epoch its media is sent in (after execute_transition); nil before any.
    public var sendingEpoch: UInt64?
    /// The epoch of its current group (ahead of `sendingEpoch` during a transition).
    public var groupEpoch: UInt64?
    /// The epoch authenticator of its current group: what the voice privacy code is made from.
    public var epochAuthenticator: [UInt8]?
    /// What it could not process (proposals, commits, Welcomes).
    public var failures: [String]
    /// The voice privacy code of its current group, as its Discord client would show it.
    public var privacyCode: String?
    /// The bot's frames it opened, and those it could not.
    public var framesOpenedFromBot: Int
    public var framesRefusedFromBot: Int
}
