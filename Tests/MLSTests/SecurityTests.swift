@testable import MLS
import Testing

/// Commits and proposals that must be refused, and what a removed member can no longer derive.
@Suite struct SecurityTests {
    /// Three members; member-0's next commit (with an UpdatePath) is returned unprocessed.
    private func threeMembersAndACommit() throws -> (GroupFixture, Group.CreatedCommit) {
        var fixture = try GroupFixture()
        for _ in 0..<2 {
            let (name, bundle) = try fixture.newJoiner()
            try fixture.externalProposal(.add(bundle.keyPackage))
            try fixture.commit(by: "member-0", joiners: [name: bundle])
        }
        return (fixture, try fixture.members["member-0"]!.commit(forcePath: true))
    }

    /// Re-frames a commit after `change`, recomputing the membership tag with the sender's real
    /// membership key, so only the changed part is wrong.
    private func reframed(_ created: Group.CreatedCommit, sender: Group,
                          _ change: (inout AuthenticatedContent) throws -> Void) throws -> MLSMessage {
        guard case .publicMessage(let message) = created.commit.body else { throw MLSError.invalid("not public") }
        var authenticated = message.authenticatedContent
        try change(&authenticated)
        return MLSMessage(.publicMessage(PublicMessage.protect(authenticated, suite: sender.suite, membershipKey: sender.secrets.membershipKey,
                                                               context: sender.context)))
    }

    @Test func validCommitIsAccepted() throws {
        let (fixture, created) = try threeMembersAndACommit()
        let next = try fixture.members["joiner-1"]!.processCommit(try MLSMessage(decoding: created.commit.encoded))
        #expect(next.epochAuthenticator == created.nextGroup.epochAuthenticator)
    }

    @Test func wrongSignatureIsRefused() throws {
        let (fixture, created) = try threeMembersAndACommit()
        let impostor = fixture.suite.generateSignatureKeyPair()
        let sender = fixture.members["member-0"]!
        let forged = try reframed(created, sender: sender) { content in
            let resigned = try AuthenticatedContent.sign(suite: fixture.suite, wireFormat: .publicMessage, content: content.content,
                                                         context: sender.context, privateKey: impostor.privateKey,
                                                         confirmationTag: content.auth.confirmationTag)
            content.auth.signature = resigned.auth.signature
        }
        #expect(throws: MLSError.invalidSignature("PublicMessage from a member")) {
            try fixture.members["joiner-1"]!.processCommit(forged)
        }
    }

    @Test func wrongMembershipTagIsRefused() throws {
        let (fixture, created) = try threeMembersAndACommit()
        guard case .publicMessage(var message) = created.commit.body else { Issue.record("not public"); return }
        message.membershipTag![0] ^= 1
        #expect(throws: MLSError.invalidTag("membership tag")) {
            try fixture.members["joiner-1"]!.processCommit(MLSMessage(.publicMessage(message)))
        }
    }

    @Test func wrongConfirmationTagIsRefused() throws {
        let (fixture, created) = try threeMembersAndACommit()
        let sender = fixture.members["member-0"]!
        let forged = try reframed(created, sender: sender) { content in
            content.auth.confirmationTag![0] ^= 1
        }
        #expect(throws: MLSError.invalidTag("confirmation tag")) {
            try fixture.members["joiner-1"]!.processCommit(forged)
        }
    }

    @Test func wrongEpochIsRefused() throws {
        let (fixture, created) = try threeMembersAndACommit()
        let wire = created.commit.encoded
        let next = try fixture.members["joiner-1"]!.processCommit(try MLSMessage(decoding: wire))
        #expect(throws: MLSError.wrongEpoch(expected: next.epoch, received: next.epoch - 1)) {
            try next.processCommit(try MLSMessage(decoding: wire))
        }
        // A commit re-signed for the next epoch by its real sender is still refused: the
        // membership key and signature context belong to the old epoch.
        let sender = fixture.members["member-0"]!
        let shifted = try reframed(created, sender: sender) { content in
            content.content.epoch += 1
        }
        #expect(throws: MLSError.self) { try next.processCommit(shifted) }
    }

    @Test func proposalFromUnknownExternalSenderIsRefused() throws {
        var (fixture, _) = try threeMembersAndACommit()
        let (_, bundle) = try fixture.newJoiner()
        let group = fixture.members["joiner-1"]!
        let stranger = fixture.suite.generateSignatureKeyPair()
        // Signed by a key that is not the group's external sender, claiming its index.
        let impersonation = try ExternalProposal.make(.add(bundle.keyPackage), suite: fixture.suite, groupID: group.groupID, epoch: group.epoch,
                                                      senderIndex: 0, signaturePrivateKey: stranger.privateKey)
        var receiver = group
        #expect(throws: MLSError.invalidSignature("PublicMessage from external sender 0")) {
            try receiver.receiveProposal(try MLSMessage(decoding: impersonation.encoded))
        }
        // An index past the list of external senders.
        let unlisted = try ExternalProposal.make(.add(bundle.keyPackage), suite: fixture.suite, groupID: group.groupID, epoch: group.epoch,
                                                 senderIndex: 1, signaturePrivateKey: fixture.gateway.privateKey)
        #expect(throws: MLSError.self) { try receiver.receiveProposal(unlisted) }
        // A group without external senders accepts none.
        var closed = try Group.create(suite: fixture.suite, groupID: group.groupID, identity: [9], signatureKeyPair: fixture.suite.generateSignatureKeyPair())
        let toClosed = try ExternalProposal.make(.add(bundle.keyPackage), suite: fixture.suite, groupID: group.groupID, epoch: 0,
                                                 senderIndex: 0, signaturePrivateKey: fixture.gateway.privateKey)
        #expect(throws: MLSError.self) { try closed.receiveProposal(toClosed) }
        #expect(receiver.pendingProposals.isEmpty && closed.pendingProposals.isEmpty)
    }

    @Test func applicationCanRefuseAnUnexpectedAdd() throws {
        var (fixture, _) = try threeMembersAndACommit()
        let (_, bundle) = try fixture.newJoiner()
        var group = fixture.members["member-0"]!
        let message = try ExternalProposal.make(.add(bundle.keyPackage), suite: fixture.suite, groupID: group.groupID, epoch: group.epoch,
                                                senderIndex: 0, signaturePrivateKey: fixture.gateway.privateKey)
        let expected: Set<[UInt8]> = [Array("someone-else".utf8)]
        #expect(throws: MLSError.invalid("proposal refused by the application")) {
            try group.receiveProposal(message) { proposal, _ in
                guard case .add(let keyPackage) = proposal, case .basic(let identity) = keyPackage.leafNode.credential else { return false }
                return expected.contains(identity)
            }
        }
        #expect(group.pendingProposals.isEmpty)
    }

    @Test func removedMemberCannotDeriveTheNextEpoch() throws {
        var (fixture, _) = try threeMembersAndACommit()
        try fixture.externalProposal(.remove(leafIndex: try #require(fixture.leafIndex(of: "joiner-2"))))
        let removed = fixture.members["joiner-2"]!
        let created = try fixture.members["member-0"]!.commit()
        #expect(throws: MLSError.removedFromGroup) { try removed.processCommit(created.commit) }
        // Even ignoring the Remove, the path secrets were not encrypted to it.
        let label = "Discord Secure Frames v0"
        let remaining = try fixture.members["joiner-1"]!.processCommit(created.commit)
        let secret = remaining.export(label: label, context: [0, 0, 0, 0, 0, 0, 0, 0], length: 16)
        #expect(secret == created.nextGroup.export(label: label, context: [0, 0, 0, 0, 0, 0, 0, 0], length: 16))
        #expect(removed.export(label: label, context: [0, 0, 0, 0, 0, 0, 0, 0], length: 16) != secret)
        guard case .publicMessage(let message) = created.commit.body, case .commit(let commit) = message.content.body,
              let path = commit.path else { Issue.record("commit without a path"); return }
        var applied = removed.tree
        applied.remove(removed.myLeafIndex)
        try applied.mergeUpdatePath(suite: fixture.suite, sender: 0, path: path)
        let provisional = GroupContext(cipherSuite: fixture.suite.id, groupID: removed.groupID, epoch: removed.epoch + 1,
                                       treeHash: applied.treeHash(suite: fixture.suite),
                                       confirmedTranscriptHash: removed.context.confirmedTranscriptHash, extensions: removed.context.extensions)
        #expect(throws: MLSError.self) {
            try applied.decryptUpdatePath(suite: fixture.suite, sender: 0, path: path, receiver: removed.myLeafIndex,
                                          privateKeys: removed.privateKeys, newLeaves: [], context: provisional)
        }
    }
}

/// Features outside the subset are refused by name where they appear.
@Suite struct OutOfScopeTests {
    @Test func privateMessagesAndOtherProposalTypesAreRefusedByName() throws {
        var fixture = try GroupFixture()
        let entry = try Vectors.load("messages")[0]
        var group = fixture.members["member-0"]!
        #expect(throws: MLSError.unsupported("PrivateMessage")) {
            try group.receiveProposal(try MLSMessage(decoding: try entry.bytes("private_message")))
        }
        let psk = try PreSharedKeyID(decoding: try entry.bytes("pre_shared_key_proposal"))
        #expect(throws: MLSError.unsupported("PreSharedKey proposals")) { try group.commit(inlineProposals: [.preSharedKey(psk)]) }
        let reInit = try ReInit(decoding: try entry.bytes("re_init_proposal"))
        #expect(throws: MLSError.unsupported("ReInit proposals")) { try group.commit(inlineProposals: [.reInit(reInit)]) }
        #expect(throws: MLSError.unsupported("GroupContextExtensions proposals")) {
            try group.commit(inlineProposals: [.groupContextExtensions([])])
        }
        #expect(throws: MLSError.unsupported("ExternalInit proposals (external joins)")) {
            try group.commit(inlineProposals: [.externalInit(kemOutput: [1])])
        }
        #expect(throws: MLSError.unsupported("cipher suite 1")) { try CipherSuite.require(1) }
        // An external sender may only propose Add and Remove.
        #expect(throws: MLSError.self) {
            try ExternalProposal.make(.preSharedKey(psk), suite: fixture.suite, groupID: group.groupID, epoch: 0, senderIndex: 0,
                                      signaturePrivateKey: fixture.gateway.privateKey)
        }
        let (_, bundle) = try fixture.newJoiner()
        var x509 = bundle.keyPackage
        x509.leafNode.credential = .x509(certificates: [[1, 2, 3]])
        #expect(throws: MLSError.self) { try group.commit(inlineProposals: [.add(x509)]) }
    }
}
