import DAVE
import MLS

/// A simulated user's DAVE membership, kept by the emulator itself on the project's MLS module:
/// it answers the voice gateway as a Discord client does — a key package for every new group,
/// proposals checked against who is in the call, commits (when it is a committing member), the
/// Welcome, readiness for each transition — and tracks which epoch its media is sent in.
///
/// Written apart from the host's DAVE layer on purpose: the host is checked against a second
/// implementation of the protocol, not against itself.
struct SimulatedDAVEMember {
    let userID: UInt64
    let groupID: [UInt8]
    /// Whether it commits proposals (Discord: every member may; the gateway takes the first).
    let commits: Bool

    private(set) var externalSender: ExternalSender?
    private var bundle: KeyPackageBundle?
    /// The local group: pending (epoch 0, only itself) until a commit or Welcome makes it the call's.
    private(set) var group: Group?
    private var ownCommit: Group.CreatedCommit?
    /// A processed commit or Welcome whose transition has not been executed yet.
    private var staged: (transitionID: UInt16, group: Group)?
    /// The group media is sent with (switched at execute_transition).
    private(set) var sendingGroup: Group?
    /// Groups whose senders' media it can open: the current one and the ones before it.
    private(set) var receivingGroups: [Group] = []
    private(set) var failures: [String] = []
    /// Its own frames, encrypted with its key of the sending epoch (the DAVE module's cipher).
    let encryptor = DAVEFrameEncryptor()
    /// Other members' frames, opened with their keys of the epochs kept.
    private(set) var decryptors: [UInt64: DAVEFrameDecryptor] = [:]
    /// Frames from the bot it opened, and those it could not.
    var framesOpenedFromBot = 0
    var framesRefusedFromBot = 0

    static let suite = DAVEGatewayCall.suite
    /// Epochs kept for receiving after a transition (Discord keeps the previous ones for 10 s).
    static let receivingEpochsKept = 3

    init(userID: UInt64, channelID: UInt64, commits: Bool) {
        self.userID = userID
        groupID = DAVEGatewayCall.bigEndian(channelID)
        self.commits = commits
    }

    var identity: [UInt8] { DAVEGatewayCall.bigEndian(userID) }

    /// The epoch its media goes out in; nil before any transition executed.
    var sendingEpoch: UInt64? { sendingGroup?.epoch }

    /// Handles one gateway message; `expected` is who the gateway said is in the call.
    mutating func receive(_ message: DAVEServerMessage, expected: Set<UInt64>) -> [DAVEClientMessage] {
        switch message {
        case .externalSender(let sender):
            externalSender = sender
            return startOver()
        case .prepareEpoch(let epoch, _):
            return epoch == 1 ? startOver() : []
        case .prepareTransition(let id, _):
            if id == 0 { execute(group) }
            return id == 0 ? [] : [.readyForTransition(transitionID: id)]
        case .executeTransition(let id):
            if let staged, staged.transitionID == id { execute(staged.group) }
            return []
        case .proposals(.append(let messages)):
            guard var current = group else { return [] }
            for proposal in messages {
                do {
                    try current.receiveProposal(proposal) { proposal, _ in
                        guard case .add(let keyPackage) = proposal else { return true }
                        return expected.contains { keyPackage.leafNode.credential == .basic(identity: DAVEGatewayCall.bigEndian($0)) }
                    }
                } catch {
                    failures.append("proposal: \(error)")
                }
            }
            group = current
            return commitPending()
        case .proposals(.revoke(let references)):
            guard var current = group else { return [] }
            for reference in references { current.revokeProposal(reference: reference) }
            group = current
            return commitPending()
        case .announceCommit(let id, let commit):
            return announced(commit, transitionID: id)
        case .welcome(let id, let welcome):
            return welcomed(welcome, transitionID: id)
        }
    }

    // MARK: steps

    /// A fresh key package and a fresh local group: on joining, after op 24 with epoch 1, and
    /// after an invalid commit or Welcome.
    private mutating func startOver() -> [DAVEClientMessage] {
        guard let externalSender else { return [] }
        ownCommit = nil
        staged = nil
        do {
            let signer = Self.suite.generateSignatureKeyPair()
            let bundle = try KeyPackageBundle.create(suite: Self.suite, identity: identity, signatureKeyPair: signer)
            self.bundle = bundle
            group = try Group.create(suite: Self.suite, groupID: groupID, identity: identity, signatureKeyPair: signer,
                                     extensions: [ExternalSender.extensionData([externalSender])])
            return [.keyPackage(bundle.keyPackage)]
        } catch {
            failures.append("key package: \(error)")
            return []
        }
    }

    private mutating func commitPending() -> [DAVEClientMessage] {
        guard commits, let group, !group.pendingProposals.isEmpty else { return [] }
        do {
            let created = try group.commit()
            ownCommit = created
            return [.commitWelcome(commit: created.commit, welcome: created.welcome)]
        } catch {
            failures.append("commit: \(error)")
            return []
        }
    }

    private mutating func announced(_ commit: MLSMessage, transitionID: UInt16) -> [DAVEClientMessage] {
        guard let current = group else { return [] }
        let next: Group
        if let ownCommit, ownCommit.commit == commit {
            next = ownCommit.nextGroup
        } else if current.epoch > 0, let processed = try? current.processCommit(commit) {
            next = processed
        } else {
            return invalid(transitionID, "commit for epoch \(current.epoch) could not be processed")
        }
        ownCommit = nil
        return stage(next, transitionID: transitionID)
    }

    private mutating func welcomed(_ welcome: Welcome, transitionID: UInt16) -> [DAVEClientMessage] {
        guard let bundle, let externalSender else { return [] }
        do {
            let joined = try Group.join(welcome: welcome, keyPackage: bundle)
            guard try joined.externalSenders() == [externalSender] else {
                return invalid(transitionID, "the Welcome's group does not name the gateway as its one external sender")
            }
            ownCommit = nil
            return stage(joined, transitionID: transitionID)
        } catch {
            return invalid(transitionID, "Welcome: \(error)")
        }
    }

    private mutating func stage(_ next: Group, transitionID: UInt16) -> [DAVEClientMessage] {
        group = next
        addReceiving(next)
        installReceiveKeys(next)
        if transitionID == 0 {
            execute(next)
            return []
        }
        staged = (transitionID, next)
        return [.readyForTransition(transitionID: transitionID)]
    }

    private mutating func execute(_ next: Group?) {
        guard let next else { return }
        sendingGroup = next
        encryptor.setKeyRatchet(DAVEKeyRatchet(baseSecret: DAVEKeyRatchet.baseSecret(group: next, userID: userID)))
        addReceiving(next)
        staged = nil
    }

    /// Receivers take the new epoch's keys when they process its commit or Welcome, before the
    /// senders switch, so nothing sent after the transition is lost; older keys stay a while.
    private mutating func installReceiveKeys(_ next: Group) {
        let others = Set(next.members.compactMap { member in
            member.identity.count == 8 ? member.identity.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : nil
        }).subtracting([userID])
        for other in others {
            let decryptor = decryptors[other] ?? DAVEFrameDecryptor()
            decryptor.transition(to: DAVEKeyRatchet(baseSecret: DAVEKeyRatchet.baseSecret(group: next, userID: other)))
            decryptor.setPassthrough(false)
            decryptors[other] = decryptor
        }
        for (gone, decryptor) in decryptors where !others.contains(gone) { decryptor.transition(to: nil) }
    }

    /// The voice privacy code of its current group, as a Discord client shows it.
    var privacyCode: String? {
        guard let group, group.epoch > 0 else { return nil }
        return try? DisplayableCode.voicePrivacyCode(epochAuthenticator: group.epochAuthenticator)
    }

    private mutating func addReceiving(_ next: Group) {
        receivingGroups.removeAll { $0.epoch == next.epoch && $0.groupID == next.groupID }
        receivingGroups.append(next)
        if receivingGroups.count > Self.receivingEpochsKept { receivingGroups.removeFirst(receivingGroups.count - Self.receivingEpochsKept) }
    }

    private mutating func invalid(_ transitionID: UInt16, _ reason: String) -> [DAVEClientMessage] {
        failures.append(reason)
        return [.invalidCommitWelcome(transitionID: transitionID)] + startOver()
    }
}
