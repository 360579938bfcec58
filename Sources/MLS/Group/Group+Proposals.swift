/// Proposals (§12.1-§12.2): receiving them by value (PublicMessage) from members and external
/// senders, validating them, and applying a commit's list to the tree.
extension Group {
    /// Receives a proposal (DAVE: op 27, "append"): the message must be a PublicMessage of this
    /// epoch from a member or one of the group's external senders, signed by it, carrying a valid
    /// Add or Remove. `accept` lets the application refuse a valid proposal it does not expect
    /// (DAVE: an Add for a user not in the call). It is kept, by its ProposalRef, until a commit
    /// covers it.
    @discardableResult
    public mutating func receiveProposal(_ message: MLSMessage, accept: (Proposal, Sender) -> Bool = { _, _ in true }) throws -> PendingProposal {
        let authenticated = try verify(message)
        guard case .proposal(let proposal) = authenticated.content.body else { throw MLSError.invalid("expected a proposal") }
        try validateProposal(proposal, sender: authenticated.content.sender)
        guard accept(proposal, authenticated.content.sender) else { throw MLSError.invalid("proposal refused by the application") }
        let pending = PendingProposal(reference: suite.proposalRef(authenticated), proposal: proposal, sender: authenticated.content.sender)
        if !pendingProposals.contains(where: { $0.reference == pending.reference }) { pendingProposals.append(pending) }
        return pending
    }

    /// Forgets a pending proposal (DAVE: op 27, "revoke"). Returns whether it was pending.
    @discardableResult
    public mutating func revokeProposal(reference: [UInt8]) -> Bool {
        let before = pendingProposals.count
        pendingProposals.removeAll { $0.reference == reference }
        return pendingProposals.count != before
    }

    /// Proposes as a member: signs, frames and keeps the proposal; returns the message to send.
    public mutating func propose(_ proposal: Proposal) throws -> MLSMessage {
        try validateProposal(proposal, sender: .member(leafIndex: myLeafIndex))
        let authenticated = try frame(.proposal(proposal))
        pendingProposals.append(PendingProposal(reference: suite.proposalRef(authenticated), proposal: proposal,
                                                sender: .member(leafIndex: myLeafIndex)))
        return MLSMessage(.publicMessage(PublicMessage.protect(authenticated, suite: suite, membershipKey: secrets.membershipKey, context: context)))
    }

    /// The checks one proposal must pass on its own against the current group (§12.1).
    func validateProposal(_ proposal: Proposal, sender: Sender) throws {
        switch proposal {
        case .add(let keyPackage):
            // Against the other members only when a commit applies it, after the commit's Removes
            // (§12.2): a member removed and re-added in one commit may keep its signature key
            // (DAVE's recovery after op 31 does exactly that).
            try validateKeyPackage(keyPackage, in: tree, checkingMembers: false)
        case .remove(let leafIndex):
            guard tree.leaf(leafIndex) != nil else { throw MLSError.invalid("Remove of leaf \(leafIndex), which is blank or absent") }
        case .update(let leafNode):
            guard case .member(let leafIndex) = sender, let current = tree.leaf(leafIndex) else {
                throw MLSError.invalid("Update from a sender that is not a member")
            }
            try tree.validateLeafNode(leafNode, suite: suite, groupContext: context, leafIndex: leafIndex, origin: .update, currentTime: currentTime)
            guard leafNode.encryptionKey != current.encryptionKey else { throw MLSError.invalid("Update keeps the old encryption key") }
        case .preSharedKey: throw MLSError.unsupported("PreSharedKey proposals")
        case .reInit: throw MLSError.unsupported("ReInit proposals")
        case .externalInit: throw MLSError.unsupported("ExternalInit proposals (external joins)")
        case .groupContextExtensions: throw MLSError.unsupported("GroupContextExtensions proposals")
        }
        if case .external = sender, case .update = proposal { throw MLSError.invalid("Update from an external sender") }
    }

    /// KeyPackage validation (§10.1) for adding it to `tree`.
    func validateKeyPackage(_ keyPackage: KeyPackage, in tree: RatchetTree, checkingMembers: Bool = true) throws {
        guard keyPackage.version == context.version else { throw MLSError.invalid("key package version") }
        try keyPackage.validate(suite: suite, currentTime: currentTime)
        try tree.validateLeafNode(keyPackage.leafNode, suite: suite, groupContext: context, leafIndex: nil, origin: .keyPackage,
                                  currentTime: currentTime, checkingMembers: checkingMembers)
    }

    /// What applying a commit's proposals produced.
    struct AppliedProposals {
        var tree: RatchetTree
        /// The added members' leaf indices with their key packages, in the order of the proposals.
        var added: [(leafIndex: UInt32, keyPackage: KeyPackage)]
        /// Whether the commit must carry an UpdatePath (§12.4: empty, or any Update or Remove).
        var pathRequired: Bool
    }

    /// Validates a commit's proposal list as a whole (§12.2) and applies it to a copy of the tree in
    /// the order the RFC fixes: Updates, Removes, then Adds.
    func applyProposals(_ proposals: [(proposal: Proposal, sender: Sender)], committer: UInt32) throws -> AppliedProposals {
        var updates: [(UInt32, LeafNode)] = []
        var removes: [UInt32] = []
        var adds: [KeyPackage] = []
        for (proposal, sender) in proposals {
            // Adds are validated against the tree they join (after this commit's removes), below.
            if case .add = proposal {} else { try validateProposal(proposal, sender: sender) }
            switch proposal {
            case .add(let keyPackage): adds.append(keyPackage)
            case .remove(let leafIndex):
                guard leafIndex != committer else { throw MLSError.invalid("commit removes its committer") }
                guard !removes.contains(leafIndex) else { throw MLSError.invalid("leaf \(leafIndex) removed twice") }
                removes.append(leafIndex)
            case .update(let leafNode):
                guard case .member(let leafIndex) = sender, leafIndex != committer else {
                    throw MLSError.invalid("commit covers an Update from its committer")
                }
                guard !updates.contains(where: { $0.0 == leafIndex }) else { throw MLSError.invalid("two Updates for one leaf") }
                updates.append((leafIndex, leafNode))
            default: throw MLSError.unsupported("proposal type \(proposal.proposalType)")
            }
        }
        for (leafIndex, _) in updates where removes.contains(leafIndex) {
            throw MLSError.invalid("leaf \(leafIndex) both updated and removed")
        }
        var next = tree
        for (leafIndex, leafNode) in updates {
            next.set(TreeMath.nodeIndex(leaf: leafIndex), .leaf(leafNode))
            next.blankDirectPath(leafIndex)
        }
        for leafIndex in removes { next.remove(leafIndex) }
        var added: [(UInt32, KeyPackage)] = []
        var addedSignatureKeys = Set<[UInt8]>()
        for keyPackage in adds {
            guard addedSignatureKeys.insert(keyPackage.leafNode.signatureKey).inserted else {
                throw MLSError.invalid("two Adds with the same signature key")
            }
            try validateKeyPackage(keyPackage, in: next)
            added.append((next.add(keyPackage.leafNode), keyPackage))
        }
        return AppliedProposals(tree: next, added: added, pathRequired: proposals.isEmpty || !updates.isEmpty || !removes.isEmpty)
    }
}
