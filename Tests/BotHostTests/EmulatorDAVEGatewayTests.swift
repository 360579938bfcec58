import DAVE
@testable import DiscordEmulator
import MLS
import Testing

/// The emulated voice gateway's DAVE delivery service with simulated members only, in process:
/// group creation, members joining, leaving and rejoining, the sole-member reset and recovery
/// after op 31. Every member of an epoch must agree on it (same epoch authenticator).
@Suite struct EmulatorDAVEGatewayTests {
    /// A call whose every member is a `SimulatedDAVEMember`; messages are delivered in order.
    struct Call {
        var gateway = DAVEGatewayCall(protocolVersion: 1, channelID: 2002, signer: DAVEGatewayCall.suite.generateSignatureKeyPair(),
                                      identity: Array("voice gateway".utf8))
        var members: [UInt64: SimulatedDAVEMember] = [:]
        var committers: Set<UInt64>
        /// Every message each member was sent, in order.
        var received: [UInt64: [DAVEServerMessage]] = [:]

        init(committers: Set<UInt64>) { self.committers = committers }

        mutating func join(_ user: UInt64) {
            members[user] = SimulatedDAVEMember(userID: user, channelID: 2002, commits: committers.contains(user))
            run(gateway.connect(user))
        }

        mutating func leave(_ user: UInt64) {
            members[user] = nil
            run(gateway.disconnect(user))
        }

        mutating func run(_ deliveries: [DAVEGatewayCall.Delivery]) {
            var queue = deliveries
            while !queue.isEmpty {
                let delivery = queue.removeFirst()
                guard var member = members[delivery.to] else { continue }
                received[delivery.to, default: []].append(delivery.message)
                let answers = member.receive(delivery.message, expected: Set(members.keys))
                members[delivery.to] = member
                for answer in answers {
                    switch answer {
                    case .keyPackage(let keyPackage): queue += gateway.receiveKeyPackage(keyPackage, from: delivery.to)
                    case .commitWelcome(let commit, let welcome): queue += gateway.receiveCommit(commit, welcome: welcome, from: delivery.to)
                    case .readyForTransition(let id): queue += gateway.receiveReady(transitionID: id, from: delivery.to)
                    case .invalidCommitWelcome(let id): queue += gateway.receiveInvalid(transitionID: id, from: delivery.to)
                    }
                }
            }
        }

        /// What a failed expectation shows (the whole call would be pages of key bytes).
        var summary: String {
            "gateway epoch \(gateway.epoch), leaves \(gateway.leaves), pending \(gateway.keyPackages.keys.sorted()), "
                + "transition \(gateway.transition.map { "\($0.id) awaiting \($0.awaiting.sorted())" } ?? "none"), "
                + "refusals \(gateway.refusals.map(\.reason)), members "
                + members.keys.sorted().map { "\($0): sending \(members[$0]?.sendingEpoch.map(String.init) ?? "-"), failures \(members[$0]?.failures ?? [])" }.joined(separator: "; ")
        }

        /// nil when every member sends in the gateway's epoch `epoch` with the same epoch
        /// authenticator; else what the call looks like.
        func disagreement(on epoch: UInt64) -> String? {
            let authenticators = Set(members.values.compactMap { $0.sendingGroup?.epochAuthenticator })
            let agreed = gateway.epoch == epoch && gateway.transition == nil && authenticators.count == 1
                && members.values.allSatisfy { $0.sendingEpoch == epoch }
            return agreed ? nil : summary
        }
    }

    @Test func threeMembersCreateTheGroupThenAFourthJoinsAndOneLeaves() {
        var call = Call(committers: [1, 2, 3, 4])
        call.join(1)
        // Alone, a member only has its pending group.
        #expect(call.gateway.epoch == 0)
        #expect(call.gateway.keyPackages.keys.sorted() == [1])
        call.join(2)
        #expect(call.disagreement(on: 1) == nil)
        #expect(call.gateway.members.count == 2)
        call.join(3)
        #expect(call.disagreement(on: 2) == nil)
        #expect(Set(call.gateway.members) == [1, 2, 3])
        call.join(4)
        #expect(call.disagreement(on: 3) == nil)
        call.leave(2)
        #expect(call.disagreement(on: 4) == nil)
        #expect(Set(call.gateway.members) == [1, 3, 4])
        // With everyone committing, the only commits not taken are those that came too late.
        #expect(call.gateway.refusals.allSatisfy { $0.reason.contains("the group is at") })
        #expect(call.members.values.allSatisfy { $0.failures.isEmpty })
    }

    @Test func onlyOneCommitPerEpochIsAnnounced() {
        var call = Call(committers: [1, 2, 3])
        call.join(1)
        call.join(2)
        call.join(3)
        // Member 3's arrival reached 1 and 2, who both committed: the second commit came too late.
        #expect(call.gateway.acceptedCommits == 2)
        #expect(call.gateway.refusals.allSatisfy { $0.reason.contains("epoch") })
        #expect(call.disagreement(on: 2) == nil)
    }

    @Test func aMemberThatRejoinsGetsAFreshLeafAndTheCurrentEpoch() {
        var call = Call(committers: [1, 2, 3])
        call.join(1)
        call.join(2)
        call.join(3)
        call.leave(3)
        call.join(3)
        #expect(call.disagreement(on: 4) == nil)
        #expect(call.gateway.members.filter { $0 == 3 }.count == 1)
    }

    @Test func theSoleRemainingMemberResetsAndANewGroupFollows() {
        var call = Call(committers: [1, 2, 3])
        call.join(1)
        call.join(2)
        #expect(call.disagreement(on: 1) == nil)
        call.leave(2)
        // Op 24 (epoch 1) and op 21 (transition 0): member 1 is pending again with a new key package.
        #expect(call.gateway.epoch == 0)
        #expect(call.gateway.keyPackages.keys.sorted() == [1])
        #expect(call.received[1]?.suffix(2).map(\.opcode) == [.prepareEpoch, .prepareTransition])
        call.join(3)
        #expect(call.disagreement(on: 1) == nil)
        #expect(Set(call.gateway.members) == [1, 3])
    }

    @Test func aReportedInvalidWelcomeRemovesAndReAddsTheMember() {
        var call = Call(committers: [1])
        call.join(1)
        call.join(2)
        #expect(call.disagreement(on: 1) == nil)
        // Member 2 says it could not use what it got: removed, then added with a new key package.
        var member = call.members[2]!
        let restart = member.receive(.prepareEpoch(epoch: 1, protocolVersion: 1), expected: [1, 2])
        call.members[2] = member
        var deliveries = call.gateway.receiveInvalid(transitionID: 1, from: 2)
        for case .keyPackage(let keyPackage) in restart { deliveries += call.gateway.receiveKeyPackage(keyPackage, from: 2) }
        call.run(deliveries)
        #expect(call.gateway.invalidReports == [2])
        #expect(call.disagreement(on: 2) == nil)
        #expect(call.gateway.members == [1, 2])
    }

    @Test func keyPackagesThatDoNotNameTheUserAreRefused() throws {
        var call = Call(committers: [1])
        call.join(1)
        let signer = DAVEGatewayCall.suite.generateSignatureKeyPair()
        let foreign = try KeyPackageBundle.create(suite: DAVEGatewayCall.suite, identity: DAVEGatewayCall.bigEndian(99), signatureKeyPair: signer)
        _ = call.gateway.connect(5)
        #expect(call.gateway.receiveKeyPackage(foreign.keyPackage, from: 5).isEmpty)
        #expect(call.gateway.refusals.map(\.userID) == [5])
    }
}
