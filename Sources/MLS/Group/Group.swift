/// One member's view of an MLS group in one epoch (RFC 9420 §8-§12), for the subset DAVE uses:
/// PublicMessage handshakes, Add and Remove proposals (from members or from the group's external
/// senders), commits with UpdatePaths, and Welcomes carrying the ratchet tree.
///
/// A `Group` is a value: processing a commit or creating one yields the next epoch's `Group`, and
/// the caller decides when to move to it (DAVE merges its own commit only once the voice gateway
/// announces it won).
public struct Group: Sendable {
    public let suite: CipherSuite
    public internal(set) var context: GroupContext
    public internal(set) var tree: RatchetTree
    public internal(set) var myLeafIndex: UInt32
    let signatureKeyPair: SignatureKeyPair
    var privateKeys: RatchetTree.PrivateKeys
    var secrets: EpochSecrets
    var interimTranscriptHash: [UInt8]
    /// Proposals received in this epoch, in arrival order, by ProposalRef.
    public internal(set) var pendingProposals: [PendingProposal]
    /// Seconds since 1970 against which key package lifetimes are checked; nil skips the check.
    public var currentTime: UInt64?

    /// A proposal received (or sent) in this epoch, kept until a commit covers it.
    public struct PendingProposal: Hashable, Sendable {
        public let reference: [UInt8]
        public let proposal: Proposal
        public let sender: Sender
    }

    public var groupID: [UInt8] { context.groupID }
    public var epoch: UInt64 { context.epoch }
    /// The epoch authenticator (§8.7): equal for every member in the same epoch of the same group.
    public var epochAuthenticator: [UInt8] { secrets.epochAuthenticator }

    /// MLS-Exporter (§8.5): DAVE derives each sender's media key from
    /// export("Discord Secure Frames v0", little-endian user id, 16).
    public func export(label: String, context exportContext: [UInt8], length: Int) -> [UInt8] {
        secrets.export(suite: suite, label: label, context: exportContext, length: length)
    }

    /// The group's external senders (the external_senders group-context extension).
    public func externalSenders() throws -> [ExternalSender] { try context.externalSenders() }

    /// A one-member group at epoch 0 (§11). `extensions` become the group context's extensions
    /// (DAVE: external_senders with the voice gateway's key).
    public static func create(suite: CipherSuite, groupID: [UInt8], identity: [UInt8], signatureKeyPair: SignatureKeyPair,
                              extensions: [Extension] = [], currentTime: UInt64? = nil) throws -> Group {
        try extensions.requireUniqueTypes("GroupContext")
        if let senders = extensions.first(ofType: Extension.externalSenders) {
            _ = try ExternalSender.decodeList(senders.data)
        }
        let encryptionKey = suite.generateHPKEKeyPair()
        var leaf = LeafNode(encryptionKey: encryptionKey.publicKey, signatureKey: signatureKeyPair.publicKey,
                            credential: .basic(identity: identity), capabilities: .supported(by: suite),
                            source: .keyPackage(.unbounded), extensions: [])
        try leaf.sign(suite: suite, privateKey: signatureKeyPair.privateKey, groupID: groupID, leafIndex: 0)
        let tree = RatchetTree(firstLeaf: leaf)
        let context = GroupContext(cipherSuite: suite.id, groupID: groupID, epoch: 0, treeHash: tree.treeHash(suite: suite),
                                   confirmedTranscriptHash: [], extensions: extensions)
        let secrets = EpochSecrets(suite: suite, epochSecret: suite.randomBytes(suite.hashLength))
        let tag = suite.mac(key: secrets.confirmationKey, data: [])
        return Group(suite: suite, context: context, tree: tree, myLeafIndex: 0, signatureKeyPair: signatureKeyPair,
                     privateKeys: [encryptionKey.publicKey: encryptionKey.privateKey], secrets: secrets,
                     interimTranscriptHash: TranscriptHash.interim(suite: suite, confirmed: [], confirmationTag: tag),
                     pendingProposals: [], currentTime: currentTime)
    }

    /// The identity in each member's basic credential, by leaf index.
    public var members: [(leafIndex: UInt32, identity: [UInt8])] {
        tree.occupiedLeaves.compactMap { index in
            guard let leaf = tree.leaf(index), case .basic(let identity) = leaf.credential else { return nil }
            return (index, identity)
        }
    }

    // MARK: Framing (§6)

    /// Signs and frames content from this member as a PublicMessage in the current epoch.
    func frame(_ body: FramedBody, confirmationTag: [UInt8]? = nil) throws -> AuthenticatedContent {
        let content = FramedContent(groupID: groupID, epoch: epoch, sender: .member(leafIndex: myLeafIndex), authenticatedData: [], body: body)
        return try AuthenticatedContent.sign(suite: suite, wireFormat: .publicMessage, content: content, context: context,
                                             privateKey: signatureKeyPair.privateKey, confirmationTag: confirmationTag)
    }

    /// Opens a PublicMessage for this epoch: group and epoch, then the sender's signature and (for
    /// members) membership tag. Returns the authenticated content.
    func verify(_ message: MLSMessage) throws -> AuthenticatedContent {
        let publicMessage: PublicMessage
        switch message.body {
        case .publicMessage(let received): publicMessage = received
        case .privateMessage: throw MLSError.unsupported("PrivateMessage")
        default: throw MLSError.invalid("expected a PublicMessage, got \(message.wireFormat)")
        }
        let content = publicMessage.content
        guard content.groupID == groupID else { throw MLSError.wrongGroup }
        guard content.epoch == epoch else { throw MLSError.wrongEpoch(expected: epoch, received: content.epoch) }
        let authenticated = publicMessage.authenticatedContent
        switch content.sender {
        case .member(let leafIndex):
            guard let leaf = tree.leaf(leafIndex) else { throw MLSError.invalid("sender \(leafIndex) is not a member") }
            try publicMessage.verifyFromMember(suite: suite, membershipKey: secrets.membershipKey, context: context,
                                               signatureKey: leaf.signatureKey)
        case .external(let senderIndex):
            let senders = try externalSenders()
            guard Int(senderIndex) < senders.count else { throw MLSError.invalid("sender \(senderIndex) is not an external sender of the group") }
            guard authenticated.verifySignature(suite: suite, publicKey: senders[Int(senderIndex)].signatureKey, context: nil) else {
                throw MLSError.invalidSignature("PublicMessage from external sender \(senderIndex)")
            }
        case .newMemberProposal, .newMemberCommit:
            throw MLSError.unsupported("new member senders (external joins)")
        }
        if case .application = content.body { throw MLSError.invalid("application data in a PublicMessage") }
        return authenticated
    }
}
