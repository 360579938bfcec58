/// Commits (§12.4): creating one that covers the pending proposals, and processing one from
/// another member. Both yield the next epoch's `Group` without changing this one.
extension Group {
    /// A commit this member made: the message to send, the Welcome for added members (nil when no
    /// one was added), and the group as it will be once the commit is accepted.
    public struct CreatedCommit: Sendable {
        public let commit: MLSMessage
        public let welcome: Welcome?
        public let nextGroup: Group
    }

    /// Commits to every pending proposal by reference, plus `inlineProposals` by value. An
    /// UpdatePath is included whenever the rules require one (a Remove or Update, or no proposals)
    /// or when `forcePath` is set. The Welcome carries the ratchet tree inline.
    public func commit(inlineProposals: [Proposal] = [], forcePath: Bool = false) throws -> CreatedCommit {
        let me = Sender.member(leafIndex: myLeafIndex)
        let covered = pendingProposals.map { (proposal: $0.proposal, sender: $0.sender) } + inlineProposals.map { (proposal: $0, sender: me) }
        var applied = try applyProposals(covered, committer: myLeafIndex)  // the UpdatePath merges into applied.tree
        let newLeaves = Set(applied.added.map(\.leafIndex))
        let nextEpoch = epoch + 1
        var nextTreeHash: [UInt8]?  // the tree after the UpdatePath, hashed once for both contexts
        let provisional = { (treeHash: [UInt8]) in
            nextTreeHash = treeHash
            return GroupContext(cipherSuite: suite.id, groupID: groupID, epoch: nextEpoch, treeHash: treeHash,
                                confirmedTranscriptHash: context.confirmedTranscriptHash, extensions: context.extensions)
        }
        var commitSecret = Array(repeating: UInt8(0), count: suite.hashLength)
        var createdPath: RatchetTree.CreatedPath?
        if applied.pathRequired || forcePath {
            let created = try applied.tree.createUpdatePath(suite: suite, leafIndex: myLeafIndex, signaturePrivateKey: signatureKeyPair.privateKey,
                                                            groupID: groupID, newLeaves: newLeaves, context: provisional)
            commitSecret = created.commitSecret
            createdPath = created
        }
        let proposals = pendingProposals.map { ProposalOrRef.reference($0.reference) } + inlineProposals.map { ProposalOrRef.proposal($0) }
        var authenticated = try frame(.commit(Commit(proposals: proposals, path: createdPath?.path)))

        let confirmed = TranscriptHash.confirmed(suite: suite, interim: interimTranscriptHash, content: authenticated)
        let nextContext = GroupContext(cipherSuite: suite.id, groupID: groupID, epoch: nextEpoch,
                                       treeHash: nextTreeHash ?? applied.tree.treeHash(suite: suite),
                                       confirmedTranscriptHash: confirmed, extensions: context.extensions)
        let nextSecrets = EpochSecrets(suite: suite, previousInitSecret: secrets.initSecret, commitSecret: commitSecret, groupContext: nextContext)
        let confirmationTag = suite.mac(key: nextSecrets.confirmationKey, data: confirmed)
        authenticated.auth.confirmationTag = confirmationTag
        let message = PublicMessage.protect(authenticated, suite: suite, membershipKey: secrets.membershipKey, context: context)

        var keys = privateKeys
        for (publicKey, privateKey) in createdPath?.privateKeys ?? [:] { keys[publicKey] = privateKey }
        let nextGroup = Group(suite: suite, context: nextContext, tree: applied.tree, myLeafIndex: myLeafIndex, signatureKeyPair: signatureKeyPair,
                              privateKeys: Self.keysInUse(keys, tree: applied.tree), secrets: nextSecrets,
                              interimTranscriptHash: TranscriptHash.interim(suite: suite, confirmed: confirmed, confirmationTag: confirmationTag),
                              pendingProposals: [], currentTime: currentTime)
        var welcome: Welcome?
        if !applied.added.isEmpty {
            welcome = try nextGroup.makeWelcome(for: applied.added, confirmationTag: confirmationTag, pathSecrets: createdPath?.pathSecrets ?? [:])
        }
        return CreatedCommit(commit: MLSMessage(.publicMessage(message)), welcome: welcome, nextGroup: nextGroup)
    }

    /// The private keys whose public keys are still in the tree.
    static func keysInUse(_ keys: RatchetTree.PrivateKeys, tree: RatchetTree) -> RatchetTree.PrivateKeys {
        let inTree = Set(tree.nodes.compactMap { $0?.encryptionKey })
        return keys.filter { inTree.contains($0.key) }
    }

    /// Processes a commit from another member of this epoch (§12.4.2) and returns the next epoch's
    /// group. Proposals by reference must have been received before. Refuses a commit that fails
    /// any check: signature, membership tag, epoch, proposal rules, UpdatePath, confirmation tag.
    public func processCommit(_ message: MLSMessage) throws -> Group {
        let authenticated = try verify(message)
        guard case .commit(let commit) = authenticated.content.body else { throw MLSError.invalid("expected a commit") }
        guard case .member(let committer) = authenticated.content.sender else { throw MLSError.unsupported("commits from non-members") }
        guard committer != myLeafIndex else { throw MLSError.invalid("a member's own commit is merged, not processed") }
        guard let confirmationTag = authenticated.auth.confirmationTag else { throw MLSError.invalid("commit without confirmation tag") }

        var covered: [(proposal: Proposal, sender: Sender)] = []
        var references = Set<[UInt8]>()
        for entry in commit.proposals {
            switch entry {
            case .proposal(let proposal): covered.append((proposal, authenticated.content.sender))
            case .reference(let reference):
                guard references.insert(reference).inserted else { throw MLSError.invalid("proposal referenced twice") }
                guard let pending = pendingProposals.first(where: { $0.reference == reference }) else {
                    throw MLSError.invalid("commit references an unknown proposal")
                }
                covered.append((pending.proposal, pending.sender))
            }
        }
        for (proposal, _) in covered {
            if case .remove(let removed) = proposal, removed == myLeafIndex { throw MLSError.removedFromGroup }
        }
        let applied = try applyProposals(covered, committer: committer)
        var tree = applied.tree
        let nextEpoch = epoch + 1
        var commitSecret = Array(repeating: UInt8(0), count: suite.hashLength)
        var keys = privateKeys
        var nextTreeHash: [UInt8]?
        if let path = commit.path {
            try tree.validateLeafNode(path.leafNode, suite: suite, groupContext: context, leafIndex: committer, origin: .commit,
                                      currentTime: currentTime)
            try tree.mergeUpdatePath(suite: suite, sender: committer, path: path)
            let provisional = GroupContext(cipherSuite: suite.id, groupID: groupID, epoch: nextEpoch, treeHash: tree.treeHash(suite: suite),
                                           confirmedTranscriptHash: context.confirmedTranscriptHash, extensions: context.extensions)
            nextTreeHash = provisional.treeHash
            let decrypted = try tree.decryptUpdatePath(suite: suite, sender: committer, path: path, receiver: myLeafIndex, privateKeys: privateKeys,
                                                       newLeaves: Set(applied.added.map(\.leafIndex)), context: provisional)
            commitSecret = decrypted.commitSecret
            for (publicKey, privateKey) in decrypted.privateKeys { keys[publicKey] = privateKey }
        } else if applied.pathRequired {
            throw MLSError.invalid("commit without the UpdatePath its proposals require")
        }

        let confirmed = TranscriptHash.confirmed(suite: suite, interim: interimTranscriptHash, content: authenticated)
        let nextContext = GroupContext(cipherSuite: suite.id, groupID: groupID, epoch: nextEpoch, treeHash: nextTreeHash ?? tree.treeHash(suite: suite),
                                       confirmedTranscriptHash: confirmed, extensions: context.extensions)
        let nextSecrets = EpochSecrets(suite: suite, previousInitSecret: secrets.initSecret, commitSecret: commitSecret, groupContext: nextContext)
        guard suite.mac(key: nextSecrets.confirmationKey, data: confirmed) == confirmationTag else {
            throw MLSError.invalidTag("confirmation tag")
        }
        return Group(suite: suite, context: nextContext, tree: tree, myLeafIndex: myLeafIndex, signatureKeyPair: signatureKeyPair,
                     privateKeys: Self.keysInUse(keys, tree: tree), secrets: nextSecrets,
                     interimTranscriptHash: TranscriptHash.interim(suite: suite, confirmed: confirmed, confirmationTag: confirmationTag),
                     pendingProposals: [], currentTime: currentTime)
    }
}
