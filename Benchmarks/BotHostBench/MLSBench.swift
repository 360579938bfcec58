import Foundation
import MLS

/// MLS as DAVE runs it, in a 50-member call: the voice gateway (the group's external sender)
/// proposes adding one member, a member commits it, another member processes that commit, and the
/// new member joins from the Welcome. The group is built once, outside the timing; each repetition
/// starts from the same 50-member epoch with a fresh key package.
enum MLSBench {
    static let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256
    static let groupID: [UInt8] = Array("channel-1".utf8)
    static let repetitions = 30

    static func run(_ env: BenchEnvironment) async throws {
        let gateway = suite.generateSignatureKeyPair()
        var members = try fiftyMembers(gateway: gateway)
        let committer = members[0], processor = members[1]
        members.removeAll()

        var commitMs: [Double] = [], processMs: [Double] = [], joinMs: [Double] = []
        for repetition in 0..<repetitions {
            // Outside the timing: a fresh joiner, and the gateway's Add proposal received by both members.
            let joiner = try KeyPackageBundle.create(suite: suite, identity: identity(100 + repetition),
                                                     signatureKeyPair: suite.generateSignatureKeyPair())
            let proposal = try ExternalProposal.make(.add(joiner.keyPackage), suite: suite, groupID: groupID, epoch: committer.epoch,
                                                     senderIndex: 0, signaturePrivateKey: gateway.privateKey).encoded
            var committing = committer, processing = processor
            _ = try committing.receiveProposal(try MLSMessage(decoding: proposal))
            _ = try processing.receiveProposal(try MLSMessage(decoding: proposal))

            var start = monotonicNs()
            let created = try committing.commit()
            let commitWire = created.commit.encoded
            guard let welcome = created.welcome else { throw BenchError(message: "MLS: an Add commit made no Welcome") }
            let welcomeWire = welcome.encoded
            commitMs.append(Double(monotonicNs() - start) / 1e6)

            start = monotonicNs()
            let processed = try processing.processCommit(try MLSMessage(decoding: commitWire))
            processMs.append(Double(monotonicNs() - start) / 1e6)

            start = monotonicNs()
            let joined = try Group.join(welcome: try Welcome(decoding: welcomeWire), keyPackage: joiner)
            joinMs.append(Double(monotonicNs() - start) / 1e6)

            guard processed.epochAuthenticator == created.nextGroup.epochAuthenticator,
                  joined.epochAuthenticator == created.nextGroup.epochAuthenticator else {
                throw BenchError(message: "MLS: members disagree after the commit")
            }
        }
        reportTimings(commitMs, "MLS commit adding 1 to a 50-member group", targetMs: 5)
        reportTimings(processMs, "MLS process that commit as another member", targetMs: 5)
        reportTimings(joinMs, "MLS join a 50-member group from a Welcome", targetMs: 10)
        print("       \(repetitions) repetitions each; the commit includes encoding it and its Welcome, processing and joining include decoding")
    }

    static func identity(_ number: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(number).bigEndian, Array.init)
    }

    /// Member 0 creates the group and adds 49 members by the gateway's proposals; all join from the
    /// Welcome. Then seven members spread over the tree commit with an UpdatePath, so the tree has
    /// filled parent nodes as it does after a call's worth of joins and leaves.
    static func fiftyMembers(gateway: SignatureKeyPair) throws -> [Group] {
        let senders = ExternalSender.extensionData([ExternalSender(signatureKey: gateway.publicKey, credential: .basic(identity: Array("gateway".utf8)))])
        var creator = try Group.create(suite: suite, groupID: groupID, identity: identity(0),
                                       signatureKeyPair: suite.generateSignatureKeyPair(), extensions: [senders])
        var joiners: [KeyPackageBundle] = []
        for number in 1..<50 {
            let bundle = try KeyPackageBundle.create(suite: suite, identity: identity(number), signatureKeyPair: suite.generateSignatureKeyPair())
            joiners.append(bundle)
            let proposal = try ExternalProposal.make(.add(bundle.keyPackage), suite: suite, groupID: groupID, epoch: creator.epoch,
                                                     senderIndex: 0, signaturePrivateKey: gateway.privateKey)
            _ = try creator.receiveProposal(try MLSMessage(decoding: proposal.encoded))
        }
        let created = try creator.commit()
        guard let welcome = created.welcome else { throw BenchError(message: "MLS: the initial adds made no Welcome") }
        var members = [created.nextGroup]
        for bundle in joiners { members.append(try Group.join(welcome: welcome, keyPackage: bundle)) }
        for committer in stride(from: 7, to: 50, by: 7) {
            let created = try members[committer].commit(forcePath: true)
            let wire = created.commit.encoded
            members = try members.indices.map { index in
                index == committer ? created.nextGroup : try members[index].processCommit(try MLSMessage(decoding: wire))
            }
        }
        guard members.count == 50, members[0].members.count == 50 else { throw BenchError(message: "MLS: the group is not 50 members") }
        return members
    }

    static func reportTimings(_ timings: [Double], _ name: String, targetMs: Double) {
        let sorted = timings.sorted()
        let median = sorted[sorted.count / 2]
        let p90 = sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * 0.9))]
        report(name, String(format: "%.2f / %.2f ms", median, p90), target: "median and p90 < \(Int(targetMs)) ms",
                            met: median < targetMs && p90 < targetMs)
    }
}
