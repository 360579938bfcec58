import DAVE
import MLS

/// The voice gateway's half of DAVE for one call: the MLS delivery service and external sender.
/// It keeps what Discord's gateway keeps — the group id, the epoch, which user holds which leaf,
/// the key packages of pending members, the proposals broadcast in the current epoch — and
/// decides what each member is sent: the external sender (op 25), Add and Remove proposals
/// (op 27), the first valid commit of an epoch (op 29) and its Welcome (op 30), and the
/// transitions (ops 21, 22, 24) once every member of the new epoch said it is ready (op 23).
///
/// Pure state: every input returns the messages to deliver; the voice hub sends them (to the bot
/// on its WebSocket, to simulated users in process).
struct DAVEGatewayCall {
    struct Delivery: Equatable {
        var to: UInt64
        var message: DAVEServerMessage
    }

    /// A proposal broadcast in the current epoch, not revoked.
    struct InFlight {
        enum Change: Equatable {
            case add(UInt64)
            case remove(UInt64, leaf: UInt32)
        }

        var reference: [UInt8]
        var change: Change
        var message: MLSMessage
    }

    /// Why a commit or key package was not taken (kept for tests and the log).
    struct Refusal: Equatable {
        var userID: UInt64
        var reason: String
    }

    static let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256

    let protocolVersion: UInt16
    let groupID: [UInt8]
    let externalSender: ExternalSender
    private let signer: SignatureKeyPair

    /// The established group's epoch; 0 while the group is being created.
    private(set) var epoch: UInt64 = 0
    /// Leaf index → user, for the established group.
    private(set) var leaves: [UInt64?] = []
    /// Users connected to the call who speak DAVE.
    private(set) var connected: Set<UInt64> = []
    /// The latest key package of each pending member.
    private(set) var keyPackages: [UInt64: KeyPackage] = [:]
    private(set) var inFlight: [InFlight] = []
    /// The commit transition being prepared: who must still say it is ready.
    private(set) var transition: (id: UInt16, awaiting: Set<UInt64>)?
    private var lastTransitionID: UInt16 = 0
    private(set) var refusals: [Refusal] = []
    private(set) var acceptedCommits = 0
    private(set) var executedTransitions = 0
    private(set) var invalidReports: [UInt64] = []

    init(protocolVersion: UInt16, channelID: UInt64, signer: SignatureKeyPair, identity: [UInt8]) {
        self.protocolVersion = protocolVersion
        groupID = Self.bigEndian(channelID)
        self.signer = signer
        externalSender = ExternalSender(signatureKey: signer.publicKey, credential: .basic(identity: identity))
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }

    var isEstablished: Bool { epoch > 0 }

    /// The users holding a leaf of the established group.
    var members: [UInt64] { leaves.compactMap { $0 } }

    private func leaf(of user: UInt64) -> UInt32? { leaves.firstIndex(of: user).map { UInt32($0) } }

    // MARK: inputs

    /// A user connected: it needs the external sender before it can make a group or join one.
    mutating func connect(_ user: UInt64) -> [Delivery] {
        connected.insert(user)
        return [Delivery(to: user, message: .externalSender(externalSender))]
    }

    /// A user left the call: its pending add is revoked, or its leaf proposed for removal.
    mutating func disconnect(_ user: UInt64) -> [Delivery] {
        connected.remove(user)
        keyPackages[user] = nil
        var out = revokeAdds(of: user)
        if var pending = transition, pending.awaiting.remove(user) != nil {
            transition = pending
            out += executeIfReady()
        }
        guard let leaf = leaf(of: user) else { return out }
        let remaining = members.filter { $0 != user && connected.contains($0) }
        if remaining.count <= 1 {
            // Sole member reset: nobody keeps an established group alone.
            resetGroup()
            return out + remaining.flatMap { [Delivery(to: $0, message: .prepareEpoch(epoch: 1, protocolVersion: protocolVersion)),
                                              Delivery(to: $0, message: .prepareTransition(transitionID: 0, protocolVersion: protocolVersion))] }
        }
        return out + propose(.remove(leafIndex: leaf), change: .remove(user, leaf: leaf))
    }

    /// Op 26: a pending member's key package. Checked as Discord does (signature, credential
    /// naming the user, unbounded lifetime), then proposed for addition.
    mutating func receiveKeyPackage(_ keyPackage: KeyPackage, from user: UInt64) -> [Delivery] {
        guard connected.contains(user) else { return [] }
        do { try keyPackage.validate(suite: Self.suite, currentTime: nil) } catch {
            refusals.append(Refusal(userID: user, reason: "key package: \(error)"))
            return []
        }
        guard keyPackage.leafNode.credential == .basic(identity: Self.bigEndian(user)) else {
            refusals.append(Refusal(userID: user, reason: "key package credential is not the user's id"))
            return []
        }
        guard keyPackage.leafNode.source == .keyPackage(.unbounded) else {
            refusals.append(Refusal(userID: user, reason: "key package lifetime is not [0, 2^64-1]"))
            return []
        }
        keyPackages[user] = keyPackage
        // One key package at a time: an earlier add for the user is withdrawn.
        var out = revokeAdds(of: user)
        if isEstablished {
            // A stale leaf (a rejoin, or recovery after op 31) goes in the same epoch.
            if let stale = leaf(of: user), !inFlight.contains(where: { $0.change == .remove(user, leaf: stale) }) {
                out += propose(.remove(leafIndex: stale), change: .remove(user, leaf: stale))
            }
            return out + propose(.add(keyPackage), change: .add(user))
        }
        // Group creation: every other pending member hears of the newcomer, and the newcomer
        // hears of everyone already pending.
        // (After a sole-member reset, members still pending are proposed again.)
        for (other, pending) in keyPackages.sorted(by: { $0.key < $1.key })
        where other != user && connected.contains(other) && !inFlight.contains(where: { $0.change == .add(other) }) {
            out += propose(.add(pending), change: .add(other))
        }
        let earlier = inFlight.map(\.message)
        out += propose(.add(keyPackage), change: .add(user))
        if !earlier.isEmpty { out.append(Delivery(to: user, message: .proposals(.append(earlier)))) }
        return out
    }

    /// Op 28: the first commit of the epoch that references exactly the proposals in flight wins.
    mutating func receiveCommit(_ message: MLSMessage, welcome: Welcome?, from user: UInt64) -> [Delivery] {
        guard case .publicMessage(let framed) = message.body, case .commit(let commit) = framed.content.body else {
            return refuse(user, "op 28 is not a commit in a PublicMessage")
        }
        guard framed.content.groupID == groupID, framed.content.epoch == epoch else {
            return refuse(user, "commit for epoch \(framed.content.epoch), the group is at \(epoch)")
        }
        let expectedSender: UInt32? = isEstablished ? leaf(of: user) : 0
        guard let expectedSender, framed.content.sender == .member(leafIndex: expectedSender) else {
            return refuse(user, "commit from a sender that is not the user's leaf")
        }
        var references: [[UInt8]] = []
        for entry in commit.proposals {
            guard case .reference(let reference) = entry else { return refuse(user, "commit carries a proposal by value") }
            references.append(reference)
        }
        // Creating the group, the committer's own add is not its to commit.
        let expected = inFlight.filter { isEstablished || $0.change != .add(user) }
        guard !references.isEmpty, Set(references) == Set(expected.map(\.reference)), references.count == expected.count else {
            return refuse(user, "commit does not reference exactly the proposals in flight")
        }
        let ordered = references.compactMap { reference in expected.first { $0.reference == reference } }
        let added = ordered.compactMap { entry -> UInt64? in if case .add(let user) = entry.change { user } else { nil } }
        guard added.isEmpty || welcome != nil else { return refuse(user, "commit adds members without a Welcome") }

        let previousMembers = isEstablished ? Set(members) : [user]
        if !isEstablished {
            // The committer's own group became the call's: its key package is used up.
            leaves = [user]
            keyPackages[user] = nil
        }
        for entry in ordered {
            if case .remove(_, let leaf) = entry.change, Int(leaf) < leaves.count { leaves[Int(leaf)] = nil }
        }
        for newcomer in added {
            if let blank = leaves.firstIndex(where: { $0 == nil }) { leaves[blank] = newcomer } else { leaves.append(newcomer) }
            keyPackages[newcomer] = nil
        }
        while leaves.last == .some(nil) { leaves.removeLast() }
        epoch += 1
        inFlight = []
        acceptedCommits += 1
        lastTransitionID = lastTransitionID == .max ? 1 : lastTransitionID + 1
        let id = lastTransitionID
        transition = (id, Set(members))
        var out: [Delivery] = []
        for member in members where previousMembers.contains(member) && !added.contains(member) {
            out.append(Delivery(to: member, message: .announceCommit(transitionID: id, commit: message)))
        }
        if let welcome {
            for newcomer in added { out.append(Delivery(to: newcomer, message: .welcome(transitionID: id, welcome: welcome))) }
        }
        // Members who sent a key package after this commit was made are proposed anew.
        for (pending, keyPackage) in keyPackages.sorted(by: { $0.key < $1.key }) where connected.contains(pending) {
            out += propose(.add(keyPackage), change: .add(pending))
        }
        return out
    }

    /// Op 23.
    mutating func receiveReady(transitionID: UInt16, from user: UInt64) -> [Delivery] {
        guard var pending = transition, pending.id == transitionID else { return [] }
        pending.awaiting.remove(user)
        transition = pending
        return executeIfReady()
    }

    /// Op 31: the member could not process a commit or Welcome. It is removed and, once it sends
    /// a fresh key package, added again.
    mutating func receiveInvalid(transitionID: UInt16, from user: UInt64) -> [Delivery] {
        invalidReports.append(user)
        keyPackages[user] = nil
        var out: [Delivery] = []
        if var pending = transition, pending.awaiting.remove(user) != nil {
            transition = pending
            out += executeIfReady()
        }
        if isEstablished, let leaf = leaf(of: user), !inFlight.contains(where: { $0.change == .remove(user, leaf: leaf) }) {
            out += propose(.remove(leafIndex: leaf), change: .remove(user, leaf: leaf))
        }
        return out
    }

    // MARK: helpers

    private mutating func executeIfReady() -> [Delivery] {
        guard let pending = transition, pending.awaiting.isEmpty else { return [] }
        transition = nil
        executedTransitions += 1
        return members.filter(connected.contains).map { Delivery(to: $0, message: .executeTransition(transitionID: pending.id)) }
    }

    /// Signs `proposal` for the current epoch and sends it to whoever commits: the members of the
    /// established group, or every other pending member while the group is being created.
    private mutating func propose(_ proposal: Proposal, change: InFlight.Change) -> [Delivery] {
        guard let message = try? ExternalProposal.make(proposal, suite: Self.suite, groupID: groupID, epoch: epoch, senderIndex: 0,
                                                       signaturePrivateKey: signer.privateKey),
              case .publicMessage(let framed) = message.body else { return [] }
        inFlight.append(InFlight(reference: Self.suite.proposalRef(framed.authenticatedContent), change: change, message: message))
        return recipients(excluding: change).map { Delivery(to: $0, message: .proposals(.append([message]))) }
    }

    private mutating func revokeAdds(of user: UInt64) -> [Delivery] {
        let revoked = inFlight.filter { $0.change == .add(user) }
        guard !revoked.isEmpty else { return [] }
        inFlight.removeAll { $0.change == .add(user) }
        return recipients(excluding: .add(user)).map { Delivery(to: $0, message: .proposals(.revoke(revoked.map(\.reference)))) }
    }

    private func recipients(excluding change: InFlight.Change) -> [UInt64] {
        // A member who rejoined is pending again: its old leaf is not its group any more.
        if isEstablished { return members.filter { connected.contains($0) && keyPackages[$0] == nil } }
        guard case .add(let subject) = change else { return [] }
        return keyPackages.keys.filter { $0 != subject && connected.contains($0) }.sorted()
    }

    private mutating func resetGroup() {
        epoch = 0
        leaves = []
        inFlight = []
        transition = nil
    }

    private mutating func refuse(_ user: UInt64, _ reason: String) -> [Delivery] {
        refusals.append(Refusal(userID: user, reason: reason))
        return []
    }
}
