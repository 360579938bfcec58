@testable import DAVE
import MLS
import Testing

/// DAVESession members against the in-process gateway: group creation, adds, removes, races,
/// recovery, resets and downgrades. Interop with other implementations is Tests/Interop/DAVE.
struct SessionTests {
    @Test(arguments: [2, 3, 8])
    func membersHearEachOther(count: Int) throws {
        let gateway = TestGateway()
        for user in 1...UInt64(count) { try gateway.connect(user) }
        try gateway.round()
        #expect(gateway.members.count == count)
        try gateway.expectEveryoneHearsEveryone("\(count) members")
        let code = try #require(gateway.sessions[1]?.privacyCode)
        #expect(code.count == 30 && code.allSatisfy(\.isNumber))
    }

    @Test func addAndRemoveMidCall() throws {
        let gateway = TestGateway()
        for user: UInt64 in [1, 2] { try gateway.connect(user) }
        try gateway.round()
        try gateway.connect(3)
        try gateway.round(winner: 2)
        try gateway.expectEveryoneHearsEveryone("after the add")
        let removed = try #require(gateway.sessions[3])
        gateway.disconnect(3)
        try gateway.round(removing: [3])
        try gateway.expectEveryoneHearsEveryone("after the remove")
        // The removed member cannot open the next epoch's frames.
        let frame = try #require(gateway.sessions[1]).encryptor.encrypt(Array(repeating: 7, count: 50))
        #expect(throws: DAVEError.self) { try removed.decryptor(for: 1).decrypt(frame) }
    }

    @Test func proposalsForStrangersAreRefused() throws {
        let gateway = TestGateway()
        for user: UInt64 in [1, 2] { try gateway.connect(user) }
        try gateway.round()
        let suite = gateway.suite
        let stranger = try KeyPackageBundle.create(suite: suite, identity: DAVESession.identity(99), signatureKeyPair: suite.generateSignatureKeyPair())
        let add = try gateway.proposal(.add(stranger.keyPackage))
        #expect(throws: DAVEError.self) { try gateway.deliver(.proposals(.append([add])), to: 1) }
        // Not from the gateway: signed by someone else as external sender 0.
        let forger = suite.generateSignatureKeyPair()
        try gateway.sessions[1]?.clientsConnected([99])
        let forged = try ExternalProposal.make(.add(stranger.keyPackage), suite: suite, groupID: DAVESession.identity(gateway.channelID),
                                               epoch: gateway.epoch, senderIndex: 0, signaturePrivateKey: forger.privateKey)
        #expect(throws: DAVEError.self) { try gateway.deliver(.proposals(.append([forged])), to: 1) }
        // The group is unharmed.
        try gateway.expectEveryoneHearsEveryone()
    }

    @Test func invalidCommitIsReportedAndRecovered() throws {
        let gateway = TestGateway()
        for user: UInt64 in [1, 2, 3] { try gateway.connect(user) }
        try gateway.round()
        // A commit from another group (its own) is refused by member 3: op 31, reset, key package.
        let suite = gateway.suite
        let bogusSigner = suite.generateSignatureKeyPair()
        var bogus = try Group.create(suite: suite, groupID: DAVESession.identity(gateway.channelID), identity: DAVESession.identity(1),
                                     signatureKeyPair: bogusSigner, extensions: [ExternalSender.extensionData([gateway.externalSender])])
        for _ in 0..<gateway.epoch { bogus = try bogus.commit().nextGroup }
        let events = try gateway.deliver(.announceCommit(transitionID: 77, commit: try bogus.commit(forcePath: true).commit), to: 3)
        #expect(events.contains(.send(.invalidCommitWelcome(transitionID: 77))))
        #expect(events.contains { if case .send(.keyPackage) = $0 { return true } else { return false } })
        #expect(gateway.sessions[3]?.epoch == nil)
        // The gateway removes and re-adds it in one commit.
        try gateway.round(removing: [3])
        try gateway.expectEveryoneHearsEveryone("after recovery")
    }

    @Test func losingCommitIsDropped() throws {
        let gateway = TestGateway()
        for user: UInt64 in [1, 2, 3] { try gateway.connect(user) }
        try gateway.round(winner: 3)
        try gateway.connect(4)
        try gateway.round(winner: 3)  // 1 and 2 committed too; theirs lose
        try gateway.expectEveryoneHearsEveryone()
    }

    @Test func soleMemberResetAndDowngrade() throws {
        let gateway = TestGateway()
        for user: UInt64 in [1, 2] { try gateway.connect(user) }
        try gateway.round()
        // Downgrade: 21 to version 0, 23, 22: frames pass through both ways.
        for user: UInt64 in [1, 2] {
            let events = try gateway.deliver(.prepareTransition(transitionID: 50, protocolVersion: 0), to: user)
            #expect(events.contains(.send(.readyForTransition(transitionID: 50))))
        }
        for user: UInt64 in [1, 2] { try gateway.deliver(.executeTransition(transitionID: 50), to: user) }
        let plain: [UInt8] = Array(repeating: 3, count: 40)
        let one = try #require(gateway.sessions[1]), two = try #require(gateway.sessions[2])
        #expect(one.protocolVersion == 0)
        #expect(try one.encryptor.encrypt(plain) == plain)
        #expect(try two.decryptor(for: 1).decrypt(plain) == plain)
        // Upgrade back: 24 with epoch 1 (new group), then the usual creation.
        for user: UInt64 in [1, 2] {
            let events = try gateway.deliver(.prepareEpoch(epoch: 1, protocolVersion: 1), to: user)
            #expect(events.contains { if case .send(.keyPackage) = $0 { return true } else { return false } })
        }
        gateway.resetToUnestablished()
        try gateway.round()
        #expect(one.protocolVersion == 1)
        try gateway.expectEveryoneHearsEveryone("after the upgrade")
    }

    @Test func sendingKeySwitchesWhenTheTransitionExecutes() throws {
        let gateway = TestGateway()
        for user: UInt64 in [1, 2] { try gateway.connect(user) }
        try gateway.round()
        try gateway.connect(3)
        let transition = try gateway.round(execute: false)
        let one = try #require(gateway.sessions[1]), two = try #require(gateway.sessions[2]), three = try #require(gateway.sessions[3])
        let opus: [UInt8] = Array(repeating: 5, count: 60)
        // Before op 22: still the previous epoch's key, which 2 keeps and 3 (just welcomed) never had.
        let before = try one.encryptor.encrypt(opus)
        #expect(try two.decryptor(for: 1).decrypt(before) == opus)
        #expect(throws: DAVEError.self) { try three.decryptor(for: 1).decrypt(before) }
        try gateway.execute(transition)
        let after = try one.encryptor.encrypt(opus)
        #expect(try two.decryptor(for: 1).decrypt(after) == opus)
        #expect(try three.decryptor(for: 1).decrypt(after) == opus)
    }
}
