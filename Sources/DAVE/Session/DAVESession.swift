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
    /// The transition id that executes at once, without op 22 ((re)initialisation).
    static let initialTransitionID: UInt16 = 0

    public let userID: UInt64
    public let channelID: UInt64
    /// Encrypts our frames; passthrough until the first transition to an epoch executes.
    public let encryptor: DAVEFrameEncryptor
    let clock: DAVEClock
    let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256

    /// The protocol version in force (0: no end-to-end encryption, frames pass through).
    public private(set) var protocolVersion: UInt16 = 0

    /// The MLS side: the gateway's external sender, our signing key, the key package we joined
    /// (or will join) with, and the group in one of its forms.
    private var externalSender: ExternalSender?
    private var signatureKeyPair: SignatureKeyPair
    private var keyPackage: KeyPackageBundle?
    /// Our one-member group at epoch 0 while no group is established (initial creation).
    private var pendingGroup: Group?
    /// The established group (epoch ≥ 1), the one media keys come from.
    private var group: Group?
    /// The group proposals are applied to (a copy of `group` or `pendingGroup` with them pending).
    private var groupWithProposals: Group?
    /// Our latest commit of the epoch and the group it leads to, in case the gateway picks it.
    private var ownCommit: (message: [UInt8], nextGroup: Group)?

    /// Users in the call besides us (ops 11 and 13).
    private var connected: Set<UInt64> = []
    /// Decryptors by sender; kept for the whole session so the media path can hold them.
    private var decryptors: [UInt64: DAVEFrameDecryptor] = [:]
    /// Members whose keys the decryptors hold for the current epoch.
    private var keyedSenders: Set<UInt64> = []
    /// Transitions announced (op 21, or a commit or Welcome processed) and not yet executed: the
    /// protocol version each moves to.
    private var pendingTransitions: [UInt16: UInt16] = [:]
    /// The epoch whose key the encryptor uses (nil: passthrough or no key).
    private var sendingEpoch: UInt64?
    /// A group was entered whose sending key waits for its transition to execute. (Epoch numbers
    /// alone cannot tell: a re-created group starts again at epoch 1.)
    private var sendingKeyPending = false
    /// The protocol version announced by op 24 for the group being created.
    private var upcomingProtocolVersion: UInt16?

    /// A session for `userID` in `channelID` (the MLS group id is the channel id, big-endian).
    public init(userID: UInt64, channelID: UInt64, clock: DAVEClock = .system) {
        self.userID = userID
        self.channelID = channelID
        self.clock = clock
        self.encryptor = DAVEFrameEncryptor()
        self.signatureKeyPair = suite.generateSignatureKeyPair()
    }

    /// The epoch of the established group, nil before one exists (or after a reset).
    public var epoch: UInt64? { group?.epoch }

    /// The voice privacy code of the current epoch (30 digits), nil without an established group.
    public var privacyCode: String? {
        guard let group else { return nil }
        return try? DisplayableCode.voicePrivacyCode(epochAuthenticator: group.epochAuthenticator)
    }

    /// The users expected in the call besides us (from ops 11 and 13).
    public var expectedUsers: Set<UInt64> { connected }

    /// The user ids of the established group's members (us included), in leaf order.
    public var members: [UInt64] {
        (group?.members ?? []).compactMap { Self.userID(fromIdentity: $0.identity) }
    }

    /// The decryptor for `userID`'s frames, created on first use and kept for the session.
    public func decryptor(for userID: UInt64) -> DAVEFrameDecryptor {
        if let existing = decryptors[userID] { return existing }
        let created = DAVEFrameDecryptor(clock: clock)
        if protocolVersion != 0 && group != nil { created.setPassthrough(false) }
        decryptors[userID] = created
        return created
    }

    /// Op 4 (select_protocol_ack) and every (re)connect: starts afresh at `protocolVersion`; with
    /// a non-zero version, the events hold a new key package to send.
    public func start(protocolVersion version: UInt16) throws -> [DAVESessionEvent] {
        guard version <= Self.maxProtocolVersion else { throw DAVEError.unexpectedState("protocol version \(version) is not supported") }
        var events: [DAVESessionEvent] = []
        signatureKeyPair = suite.generateSignatureKeyPair()
        resetGroup()
        retireKeys(except: [])
        pendingTransitions = [:]
        upcomingProtocolVersion = nil
        setProtocolVersion(version, events: &events)
        // Until the first group's transition executes, media is unencrypted both ways.
        encryptor.setKeyRatchet(nil)
        encryptor.setPassthrough(true)
        for decryptor in decryptors.values { decryptor.setPassthrough(true) }
        if sendingEpoch != nil {
            sendingEpoch = nil
            events.append(.sendingKeyChanged(epoch: nil))
        }
        if version != 0 { try sendKeyPackage(&events) }
        return events
    }

    /// Op 11: these users connected to the call; Adds for them are accepted from now on.
    public func clientsConnected(_ userIDs: [UInt64]) {
        connected.formUnion(userIDs.filter { $0 != userID })
    }

    /// Op 13: this user disconnected; Adds for them are refused until they connect again.
    public func clientDisconnected(_ userID: UInt64) {
        connected.remove(userID)
    }

    /// A DAVE message from the voice gateway. Throws when the message is refused as a whole (a
    /// proposal for a user not expected, a message the state cannot take): nothing changed and
    /// nothing is to be sent; or when proposals were queued but our commit to them could not be
    /// made (they stay queued for the winning commit). Unprocessable commits and Welcomes do not
    /// throw: they return the recovery (op 31, reset, fresh key package) as events.
    public func receive(_ message: DAVEServerMessage) throws -> [DAVESessionEvent] {
        var events: [DAVESessionEvent] = []
        switch message {
        case .externalSender(let sender):
            externalSender = sender
            // A group created with another external sender is unusable: start over with this one.
            if group == nil {
                pendingGroup = nil
                groupWithProposals = nil
                ownCommit = nil
                try createPendingGroupIfReady()
            }
        case .proposals(let proposals):
            try receiveProposals(proposals, events: &events)
        case .announceCommit(let transitionID, let commit):
            try receiveCommit(commit, transitionID: transitionID, events: &events)
        case .welcome(let transitionID, let welcome):
            try receiveWelcome(welcome, transitionID: transitionID, events: &events)
        case .prepareTransition(let transitionID, let version):
            prepareTransition(transitionID, version: version, events: &events)
        case .executeTransition(let transitionID):
            executeTransition(transitionID, events: &events)
        case .prepareEpoch(let epoch, let version):
            guard version <= Self.maxProtocolVersion else { throw DAVEError.unexpectedState("protocol version \(version) is not supported") }
            if epoch == 1 {
                // A new group: ours is gone (sole member reset, upgrade from version 0).
                resetGroup()
                upcomingProtocolVersion = version
                if version != 0 { try sendKeyPackage(&events) }
            }
        }
        return events
    }

    // MARK: Key packages and groups

    private func resetGroup() {
        sendingKeyPending = false
        pendingGroup = nil
        group = nil
        groupWithProposals = nil
        ownCommit = nil
        keyPackage = nil
    }

    /// A fresh key package (key packages are never reused), and our pending group to go with it.
    private func sendKeyPackage(_ events: inout [DAVESessionEvent]) throws {
        let bundle: KeyPackageBundle
        do {
            bundle = try KeyPackageBundle.create(suite: suite, identity: Self.identity(userID), signatureKeyPair: signatureKeyPair)
        } catch {
            throw DAVEError.mls("\(error)")
        }
        keyPackage = bundle
        events.append(.send(.keyPackage(bundle.keyPackage)))
        if group == nil {
            pendingGroup = nil
            groupWithProposals = nil
            ownCommit = nil
            try createPendingGroupIfReady()
        }
    }

    /// Our one-member group at epoch 0, once the external sender and a key package exist.
    private func createPendingGroupIfReady() throws {
        guard pendingGroup == nil, group == nil, keyPackage != nil, let externalSender else { return }
        do {
            pendingGroup = try Group.create(suite: suite, groupID: Self.identity(channelID), identity: Self.identity(userID),
                                            signatureKeyPair: signatureKeyPair, extensions: [ExternalSender.extensionData([externalSender])])
        } catch {
            throw DAVEError.mls("\(error)")
        }
    }

    // MARK: Proposals (op 27)

    private func receiveProposals(_ proposals: DAVEProposals, events: inout [DAVESessionEvent]) throws {
        // Without any group, proposals are ignored (spec: "Initial Group Creation").
        guard var working = groupWithProposals ?? group ?? pendingGroup else { return }
        switch proposals {
        case .append(let messages):
            for message in messages {
                var refusal: DAVEError?
                let ourLeaf = working.myLeafIndex
                do {
                    try working.receiveProposal(message) { proposal, sender in
                        refusal = self.refusal(of: proposal, from: sender, ourLeaf: ourLeaf)
                        return refusal == nil
                    }
                } catch {
                    throw refusal ?? DAVEError.refusedProposal("\(error)")
                }
            }
        case .revoke(let references):
            for reference in references {
                guard working.revokeProposal(reference: reference) else {
                    throw DAVEError.refusedProposal("revoke of a proposal that is not pending")
                }
            }
        }
        groupWithProposals = working
        ownCommit = nil
        guard !working.pendingProposals.isEmpty else { return }
        do {
            let created = try working.commit()
            ownCommit = (created.commit.encoded, created.nextGroup)
            events.append(.send(.commitWelcome(commit: created.commit, welcome: created.welcome)))
        } catch {
            throw DAVEError.mls("commit: \(error)")
        }
    }

    /// Why a proposal that MLS found valid is refused: only the gateway (external sender) may
    /// propose; an Add must be for a user connected to the call; a Remove may not remove us.
    /// Removes of connected users are allowed, and Adds of current members too: the gateway
    /// removes a member and re-adds it with a new key package in one commit (after op 31). Two
    /// leaves with one user id are refused when the commit is applied (`enter`).
    private func refusal(of proposal: Proposal, from sender: Sender, ourLeaf: UInt32) -> DAVEError? {
        guard case .external = sender else { return .refusedProposal("proposal not from the voice gateway") }
        switch proposal {
        case .add(let keyPackage):
            guard case .basic(let identity) = keyPackage.leafNode.credential, let added = Self.userID(fromIdentity: identity) else {
                return .refusedProposal("Add without a basic credential holding a user id")
            }
            guard connected.contains(added) else { return .refusedProposal("Add of user \(added), who is not in the call") }
            return nil
        case .remove(let leafIndex):
            guard leafIndex != ourLeaf else { return .refusedProposal("Remove of ourselves") }
            return nil
        default:
            return .refusedProposal("proposal type \(proposal.proposalType) (only Add and Remove)")
        }
    }

    // MARK: Commits (op 29) and Welcomes (op 30)

    private func receiveCommit(_ commit: MLSMessage, transitionID: UInt16, events: inout [DAVESessionEvent]) throws {
        if let ownCommit, ownCommit.message == commit.encoded {
            // Our commit won.
            try enter(ownCommit.nextGroup, transitionID: transitionID, events: &events)
            return
        }
        guard let established = group else {
            // Not in a group yet: someone else's commit creates it, and our Welcome follows.
            return
        }
        if case .publicMessage(let publicMessage) = commit.body,
           publicMessage.content.groupID != established.groupID || publicMessage.content.epoch != established.epoch {
            return  // for another group or epoch: not ours to process (as libdave ignores it)
        }
        do {
            guard case .publicMessage(let publicMessage) = commit.body, case .commit(let body) = publicMessage.content.body else {
                throw DAVEError.malformedMessage("announced commit is not a commit in a PublicMessage")
            }
            guard body.proposals.allSatisfy({ if case .reference = $0 { return true } else { return false } }) else {
                throw DAVEError.refusedProposal("commit carries proposals by value")
            }
            let base = groupWithProposals ?? established
            let next: Group
            do {
                next = try base.processCommit(commit)
            } catch MLSError.removedFromGroup {
                // The gateway removed us (to re-add us, or we are leaving): start over as pending.
                resetGroup()
                retireKeys(except: [])
                try sendKeyPackage(&events)
                return
            }
            try enter(next, transitionID: transitionID, events: &events)
        } catch {
            try recover(from: error, transitionID: transitionID, events: &events)
        }
    }

    private func receiveWelcome(_ welcome: Welcome, transitionID: UInt16, events: inout [DAVESessionEvent]) throws {
        guard group == nil else { return }  // already in the group: the Welcome is for an earlier join
        guard let keyPackage, let externalSender else {
            throw DAVEError.unexpectedState("Welcome before our key package and the external sender")
        }
        do {
            let joined: Group
            do {
                joined = try Group.join(welcome: welcome, keyPackage: keyPackage)
            } catch {
                throw DAVEError.mls("Welcome: \(error)")
            }
            let senders = (try? joined.externalSenders()) ?? []
            guard senders == [externalSender] else {
                throw DAVEError.unexpectedState("Welcome's group does not have exactly the gateway as external sender")
            }
            try enter(joined, transitionID: transitionID, events: &events)
        } catch {
            try recover(from: error, transitionID: transitionID, events: &events)
        }
    }

    /// Moves to `next` (a new epoch): receive keys for every other member at once, the sending
    /// key at the transition's execution (at once for transition 0, else after op 22).
    private func enter(_ next: Group, transitionID: UInt16, events: inout [DAVESessionEvent]) throws {
        let identities = next.members.map(\.identity)
        guard Set(identities).count == identities.count else {
            throw DAVEError.unexpectedState("two members of the group have the same user id")
        }
        group = next
        pendingGroup = nil
        groupWithProposals = nil
        ownCommit = nil
        sendingKeyPending = true
        var senders: Set<UInt64> = []
        for member in next.members {
            guard let sender = Self.userID(fromIdentity: member.identity), sender != userID else { continue }
            senders.insert(sender)
            let decryptor = decryptor(for: sender)
            decryptor.transition(to: DAVEKeyRatchet(baseSecret: DAVEKeyRatchet.baseSecret(group: next, userID: sender), suite: suite))
            // Once keys exist, unencrypted frames are accepted only for the retention window.
            if protocolVersion != 0 { decryptor.setPassthrough(false) }
        }
        retireKeys(except: senders)
        keyedSenders = senders
        events.append(.groupChanged(epoch: next.epoch, privacyCode: privacyCode ?? ""))
        // The epoch's protocol version: op 24's for a new group, else the one in force (an upgrade
        // from 0 without op 24 goes to the highest we speak).
        let version = upcomingProtocolVersion ?? (protocolVersion == 0 ? Self.maxProtocolVersion : protocolVersion)
        upcomingProtocolVersion = nil
        pendingTransitions[transitionID] = version
        if transitionID == Self.initialTransitionID {
            executeTransition(transitionID, events: &events)
        } else {
            events.append(.send(.readyForTransition(transitionID: transitionID)))
        }
    }

    /// Senders no longer in the group: their keys go after the retention window.
    private func retireKeys(except current: Set<UInt64>) {
        for sender in keyedSenders.subtracting(current) {
            decryptors[sender]?.transition(to: nil)
        }
        keyedSenders = keyedSenders.intersection(current)
    }

    /// An unprocessable commit or Welcome: tell the gateway (op 31), reset, and send a fresh key
    /// package so it removes and re-adds us.
    private func recover(from error: any Error, transitionID: UInt16, events: inout [DAVESessionEvent]) throws {
        let reason = (error as? DAVEError) ?? DAVEError.mls("\(error)")
        events.append(.recovering(reason: reason))
        events.append(.send(.invalidCommitWelcome(transitionID: transitionID)))
        resetGroup()
        retireKeys(except: [])
        try sendKeyPackage(&events)
    }

    // MARK: Transitions (ops 21, 22)

    private func prepareTransition(_ transitionID: UInt16, version: UInt16, events: inout [DAVESessionEvent]) {
        pendingTransitions[transitionID] = version
        if version == 0 {
            // A downgrade: accept unencrypted frames from now on.
            for decryptor in decryptors.values { decryptor.setPassthrough(true) }
        }
        if transitionID == Self.initialTransitionID {
            executeTransition(transitionID, events: &events)
        } else {
            events.append(.send(.readyForTransition(transitionID: transitionID)))
        }
    }

    private func executeTransition(_ transitionID: UInt16, events: inout [DAVESessionEvent]) {
        guard let version = pendingTransitions.removeValue(forKey: transitionID) else { return }
        setProtocolVersion(version, events: &events)
        if version == 0 {
            encryptor.setPassthrough(true)
            if sendingEpoch != nil {
                sendingEpoch = nil
                events.append(.sendingKeyChanged(epoch: nil))
            }
            return
        }
        for sender in keyedSenders { decryptors[sender]?.setPassthrough(false) }
        guard let group, sendingKeyPending || encryptor.isPassthrough else { return }
        sendingKeyPending = false
        encryptor.setKeyRatchet(DAVEKeyRatchet(baseSecret: DAVEKeyRatchet.baseSecret(group: group, userID: userID), suite: suite))
        sendingEpoch = group.epoch
        events.append(.sendingKeyChanged(epoch: group.epoch))
    }

    private func setProtocolVersion(_ version: UInt16, events: inout [DAVESessionEvent]) {
        guard version != protocolVersion else { return }
        protocolVersion = version
        events.append(.protocolVersionChanged(version))
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
