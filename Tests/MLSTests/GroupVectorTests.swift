@testable import MLS
import Testing

/// welcome, message-protection (PublicMessage half), passive-client-welcome and
/// passive-client-handling-commit vectors.
@Suite struct GroupVectorTests {
    @Test func welcome() throws {
        let entries = try Vectors.load("welcome")
        var passed = 0
        for entry in entries {
            guard case .keyPackage(let keyPackage) = try MLSMessage(decoding: try entry.bytes("key_package")).body,
                  case .welcome(let welcome) = try MLSMessage(decoding: try entry.bytes("welcome")).body else {
                Issue.record("welcome vector: unexpected message types")
                continue
            }
            let reference = suite2.keyPackageRef(keyPackage)
            let secrets = try #require(welcome.secrets.first { $0.newMember == reference })
            let groupSecrets = try GroupSecrets(decoding: try suite2.decryptWithLabel(
                privateKey: try entry.bytes("init_priv"), label: "Welcome", context: welcome.encryptedGroupInfo, ciphertext: secrets.encryptedGroupSecrets))
            let (key, nonce) = EpochSecrets.welcomeKeyAndNonce(
                suite: suite2, welcomeSecret: EpochSecrets.welcomeSecret(suite: suite2, joinerSecret: groupSecrets.joinerSecret))
            let groupInfo = try GroupInfo(decoding: try suite2.open(key: key, nonce: nonce, aad: [], ciphertext: welcome.encryptedGroupInfo))
            let signatureOK = suite2.verifyWithLabel(publicKey: try entry.bytes("signer_pub"), label: "GroupInfoTBS",
                                                     content: groupInfo.toBeSigned, signature: groupInfo.signature)
            let epoch = EpochSecrets(suite: suite2, joinerSecret: groupSecrets.joinerSecret, groupContext: groupInfo.groupContext)
            let tagOK = suite2.mac(key: epoch.confirmationKey, data: groupInfo.groupContext.confirmedTranscriptHash) == groupInfo.confirmationTag
            #expect(signatureOK)
            #expect(tagOK)
            if signatureOK && tagOK { passed += 1 }
        }
        Vectors.report("welcome", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }

    /// The PublicMessage half: the PrivateMessage half needs the secret tree, outside the subset.
    @Test func messageProtection() throws {
        let entries = try Vectors.load("message-protection")
        var passed = 0
        for entry in entries {
            let context = GroupContext(cipherSuite: suite2.id, groupID: try entry.bytes("group_id"), epoch: try entry.uint64("epoch"),
                                       treeHash: try entry.bytes("tree_hash"), confirmedTranscriptHash: try entry.bytes("confirmed_transcript_hash"),
                                       extensions: [])
            let membershipKey = try entry.bytes("membership_key")
            let signaturePublic = try entry.bytes("signature_pub")
            let signaturePrivate = try entry.bytes("signature_priv")
            var ok = true
            for (rawKey, messageKey) in [("proposal", "proposal_pub"), ("commit", "commit_pub")] {
                guard case .publicMessage(let received) = try MLSMessage(decoding: try entry.bytes(messageKey)).body else {
                    Issue.record("\(messageKey) is not a PublicMessage")
                    ok = false
                    continue
                }
                try received.verifyFromMember(suite: suite2, membershipKey: membershipKey, context: context, signatureKey: signaturePublic)
                let body: FramedBody = rawKey == "proposal"
                    ? .proposal(try Proposal(decoding: try entry.bytes(rawKey))) : .commit(try Commit(decoding: try entry.bytes(rawKey)))
                ok = ok && received.content.body == body && received.content.sender == .member(leafIndex: 1)
                // Protecting the raw value ourselves gives a message that verifies.
                let content = FramedContent(groupID: context.groupID, epoch: context.epoch, sender: .member(leafIndex: 1), authenticatedData: [], body: body)
                let authenticated = try AuthenticatedContent.sign(suite: suite2, wireFormat: .publicMessage, content: content, context: context,
                                                                  privateKey: signaturePrivate,
                                                                  confirmationTag: rawKey == "commit" ? Array(repeating: 7, count: 32) : nil)
                let protected = PublicMessage.protect(authenticated, suite: suite2, membershipKey: membershipKey, context: context)
                let reparsed = try PublicMessage(decoding: protected.encoded)
                try reparsed.verifyFromMember(suite: suite2, membershipKey: membershipKey, context: context, signatureKey: signaturePublic)
            }
            // Application data is never accepted in a PublicMessage.
            let application = FramedContent(groupID: context.groupID, epoch: context.epoch, sender: .member(leafIndex: 1), authenticatedData: [],
                                            body: .application(try entry.bytes("application")))
            let signed = try AuthenticatedContent.sign(suite: suite2, wireFormat: .publicMessage, content: application, context: context,
                                                       privateKey: signaturePrivate)
            let applicationMessage = MLSMessage(.publicMessage(PublicMessage.protect(signed, suite: suite2, membershipKey: membershipKey, context: context)))
            var group = try Group.create(suite: suite2, groupID: context.groupID, identity: [1], signatureKeyPair: suite2.generateSignatureKeyPair())
            #expect(throws: MLSError.self) { try group.receiveProposal(applicationMessage) }
            if ok { passed += 1 }
        }
        Vectors.report("message-protection", passed: passed, total: entries.count,
                       outOfScope: [(0, "the PrivateMessage half (proposal_priv, commit_priv, application_priv) needs the secret tree")])
        #expect(passed == entries.count)
    }

    @Test func passiveClientWelcome() throws {
        try runPassiveClient("passive-client-welcome")
    }

    @Test func passiveClientHandlingCommit() throws {
        try runPassiveClient("passive-client-handling-commit")
    }

    /// Joins from the Welcome, then follows every epoch's commit, comparing epoch authenticators.
    /// An entry that reaches a feature outside the subset (MLSError.unsupported) is reported with
    /// the reason; any other failure fails the test.
    private func runPassiveClient(_ name: String) throws {
        let entries = try Vectors.load(name)
        var passed = 0
        var outOfScope: [(Int, String)] = []
        for (index, entry) in entries.enumerated() {
            do {
                guard case .keyPackage(let keyPackage) = try MLSMessage(decoding: try entry.bytes("key_package")).body,
                      case .welcome(let welcome) = try MLSMessage(decoding: try entry.bytes("welcome")).body else {
                    Issue.record("\(name) entry \(index): unexpected message types")
                    continue
                }
                let signatureKeyPair = try suite2.signatureKeyPair(privateKey: try entry.bytes("signature_priv"))
                let bundle = KeyPackageBundle(keyPackage: keyPackage, initPrivateKey: try entry.bytes("init_priv"),
                                              encryptionPrivateKey: try entry.bytes("encryption_priv"), signatureKeyPair: signatureKeyPair)
                #expect(signatureKeyPair.publicKey == keyPackage.leafNode.signatureKey)
                #expect(try suite2.hpkePublicKey(privateKey: bundle.initPrivateKey) == keyPackage.initKey)
                #expect(try suite2.hpkePublicKey(privateKey: bundle.encryptionPrivateKey) == keyPackage.leafNode.encryptionKey)
                let tree = try (entry["ratchet_tree"] as? String).flatMap(hexBytes).map { try RatchetTree(decoding: $0) }
                var group = try Group.join(welcome: welcome, keyPackage: bundle, ratchetTree: tree)
                var ok = group.epochAuthenticator == (try entry.bytes("initial_epoch_authenticator"))
                for (epochIndex, epoch) in try entry.objects("epochs").enumerated() {
                    for proposal in (epoch["proposals"] as? [String] ?? []).compactMap(hexBytes) {
                        try group.receiveProposal(try MLSMessage(decoding: proposal))
                    }
                    group = try group.processCommit(try MLSMessage(decoding: try epoch.bytes("commit")))
                    let matched = group.epochAuthenticator == (try epoch.bytes("epoch_authenticator"))
                    #expect(matched, "\(name) entry \(index) epoch \(epochIndex)")
                    ok = ok && matched
                }
                #expect(ok, "\(name) entry \(index)")
                if ok { passed += 1 }
            } catch MLSError.unsupported(let reason) {
                outOfScope.append((index, reason))
            }
        }
        Vectors.report(name, passed: passed, total: entries.count, outOfScope: outOfScope)
        #expect(passed + outOfScope.count == entries.count)
    }
}
