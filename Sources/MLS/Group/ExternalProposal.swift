/// Proposals from an external sender (§12.1.8): a signer listed in the group's external_senders
/// extension (DAVE: the voice gateway) proposes Add and Remove without being a member.
public enum ExternalProposal {
    /// Signs `proposal` as external sender `senderIndex` for the group's current epoch and frames it
    /// as a PublicMessage (no membership tag: the sender is not a member).
    public static func make(_ proposal: Proposal, suite: CipherSuite, groupID: [UInt8], epoch: UInt64, senderIndex: UInt32,
                            signaturePrivateKey: [UInt8]) throws -> MLSMessage {
        switch proposal {
        case .add, .remove: break
        default: throw MLSError.unsupported("external proposals other than Add and Remove")
        }
        let content = FramedContent(groupID: groupID, epoch: epoch, sender: .external(senderIndex: senderIndex), authenticatedData: [],
                                    body: .proposal(proposal))
        let authenticated = try AuthenticatedContent.sign(suite: suite, wireFormat: .publicMessage, content: content, context: nil,
                                                          privateKey: signaturePrivateKey)
        return MLSMessage(.publicMessage(PublicMessage(content: authenticated.content, auth: authenticated.auth, membershipTag: nil)))
    }
}
