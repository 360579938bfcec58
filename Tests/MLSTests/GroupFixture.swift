@testable import MLS
import Testing

/// A group run in-process: an external sender (standing in for DAVE's voice gateway) and members
/// who each keep their own `Group` and exchange only encoded messages.
struct GroupFixture {
    let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256
    let groupID: [UInt8] = Array("channel-1".utf8)
    let gateway: SignatureKeyPair
    /// Members by identity; removed members are dropped.
    var members: [String: Group] = [:]
    var nextIdentity = 0

    init(creator: String = "member-0") throws {
        gateway = suite.generateSignatureKeyPair()
        let senders = ExternalSender.extensionData([ExternalSender(signatureKey: gateway.publicKey, credential: .basic(identity: Array("gateway".utf8)))])
        members[creator] = try Group.create(suite: suite, groupID: groupID, identity: Array(creator.utf8),
                                            signatureKeyPair: suite.generateSignatureKeyPair(), extensions: [senders])
    }

    var anyGroup: Group { members.values.first! }

    /// The gateway's proposal, delivered (encoded) to every member.
    @discardableResult
    mutating func externalProposal(_ proposal: Proposal) throws -> MLSMessage {
        let message = try ExternalProposal.make(proposal, suite: suite, groupID: groupID, epoch: anyGroup.epoch, senderIndex: 0,
                                                signaturePrivateKey: gateway.privateKey)
        let wire = message.encoded
        for name in members.keys { try members[name]!.receiveProposal(try MLSMessage(decoding: wire)) }
        return message
    }

    func leafIndex(of name: String) -> UInt32? {
        anyGroup.members.first { $0.identity == Array(name.utf8) }?.leafIndex
    }

    /// `committer` commits the pending proposals; everyone else processes the commit from its
    /// encoding; joiners join from the Welcome. Returns the encoded commit.
    @discardableResult
    mutating func commit(by committer: String, joiners: [String: KeyPackageBundle] = [:], forcePath: Bool = false) throws -> [UInt8] {
        let created = try members[committer]!.commit(forcePath: forcePath)
        let wire = created.commit.encoded
        let welcomeWire = created.welcome?.encoded
        var next: [String: Group] = [committer: created.nextGroup]
        for (name, group) in members where name != committer {
            do {
                next[name] = try group.processCommit(try MLSMessage(decoding: wire))
            } catch MLSError.removedFromGroup {
                continue
            }
        }
        for (name, bundle) in joiners {
            let welcome = try Welcome(decoding: try #require(welcomeWire))
            next[name] = try Group.join(welcome: welcome, keyPackage: bundle)
        }
        members = next
        return wire
    }

    /// A fresh key package for a new member.
    mutating func newJoiner() throws -> (String, KeyPackageBundle) {
        nextIdentity += 1
        let name = "joiner-\(nextIdentity)"
        return (name, try KeyPackageBundle.create(suite: suite, identity: Array(name.utf8), signatureKeyPair: suite.generateSignatureKeyPair()))
    }

    /// Every member is in the same epoch with the same authenticator, exporter output and tree.
    func expectAgreement(sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = anyGroup
        let exported = reference.export(label: "Discord Secure Frames v0", context: [1, 0, 0, 0, 0, 0, 0, 0], length: 16)
        for (name, group) in members {
            #expect(group.epoch == reference.epoch, "\(name) epoch", sourceLocation: sourceLocation)
            #expect(group.epochAuthenticator == reference.epochAuthenticator, "\(name) epoch authenticator", sourceLocation: sourceLocation)
            #expect(group.export(label: "Discord Secure Frames v0", context: [1, 0, 0, 0, 0, 0, 0, 0], length: 16) == exported,
                    "\(name) exporter", sourceLocation: sourceLocation)
            #expect(group.tree == reference.tree, "\(name) tree", sourceLocation: sourceLocation)
        }
    }
}
