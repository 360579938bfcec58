@testable import DAVE
import MLS
import Testing

/// The DAVE opcodes' payloads: layouts from the protocol description, round trips, and hostile
/// bytes refused with typed errors.
struct GatewayMessageTests {
    let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256

    @Test func jsonMessages() throws {
        let prepare = DAVEServerMessage.prepareTransition(transitionID: 10, protocolVersion: 0)
        #expect(String(decoding: try prepare.jsonData(), as: UTF8.self) == #"{"transition_id":10,"protocol_version":0}"#)
        #expect(try DAVEServerMessage.decode(jsonOpcode: 21, data: try prepare.jsonData()) == prepare)
        let epoch = try DAVEServerMessage.decode(jsonOpcode: 24, data: Array(#"{"protocol_version":1,"epoch":1,"extra":"x"}"#.utf8))
        #expect(epoch == .prepareEpoch(epoch: 1, protocolVersion: 1))
        #expect(try DAVEServerMessage.decode(jsonOpcode: 22, data: Array(#"{"transition_id":65535}"#.utf8)) == .executeTransition(transitionID: 65535))
        let ready = DAVEClientMessage.readyForTransition(transitionID: 3)
        #expect(try DAVEClientMessage.decode(jsonOpcode: 23, data: try ready.jsonData()) == ready)
        #expect(try DAVEClientMessage.decode(jsonOpcode: 31, data: Array(#"{"transition_id":32}"#.utf8)) == .invalidCommitWelcome(transitionID: 32))
        for bad in [#"{"transition_id":65536}"#, #"{"transition_id":-1}"#, #"{"transition_id":1.5}"#, #"{"transition_id":"1"}"#, "[]", "{", ""] {
            #expect(throws: DAVEError.self) { try DAVEServerMessage.decode(jsonOpcode: 22, data: Array(bad.utf8)) }
        }
        #expect(throws: DAVEError.unexpectedOpcode(25)) { try DAVEServerMessage.decode(jsonOpcode: 25, data: Array("{}".utf8)) }
        #expect(throws: DAVEError.self) { try prepare.binaryFrame(sequence: 1) }
    }

    @Test func binaryServerMessages() throws {
        let gateway = suite.generateSignatureKeyPair()
        let sender = ExternalSender(signatureKey: gateway.publicKey, credential: .basic(identity: []))
        let frame = try DAVEServerMessage.externalSender(sender).binaryFrame(sequence: 0x0102)
        #expect(Array(frame.prefix(3)) == [0x01, 0x02, 25])
        #expect(Array(frame.dropFirst(3)) == sender.encoded)
        let decoded = try DAVEServerMessage.decode(binaryFrame: frame)
        #expect(decoded.sequence == 0x0102 && decoded.message == .externalSender(sender))

        let bundle = try KeyPackageBundle.create(suite: suite, identity: DAVESession.identity(5), signatureKeyPair: suite.generateSignatureKeyPair())
        let proposal = try ExternalProposal.make(.add(bundle.keyPackage), suite: suite, groupID: DAVESession.identity(9), epoch: 0,
                                                 senderIndex: 0, signaturePrivateKey: gateway.privateKey)
        let append = DAVEServerMessage.proposals(.append([proposal, proposal]))
        let appendFrame = try append.binaryFrame(sequence: 7)
        #expect(appendFrame[2] == 27 && appendFrame[3] == 0)
        #expect(try DAVEServerMessage.decode(binaryFrame: appendFrame).message == append)
        let revoke = DAVEServerMessage.proposals(.revoke([[1, 2, 3], []]))
        let revokeFrame = try revoke.binaryFrame(sequence: 8)
        #expect(Array(revokeFrame.dropFirst(3)) == [1, 5, 3, 1, 2, 3, 0])
        #expect(try DAVEServerMessage.decode(binaryFrame: revokeFrame).message == revoke)

        var group = try Group.create(suite: suite, groupID: DAVESession.identity(9), identity: DAVESession.identity(4),
                                     signatureKeyPair: suite.generateSignatureKeyPair(), extensions: [ExternalSender.extensionData([sender])])
        try group.receiveProposal(proposal)
        let created = try group.commit()
        let welcome = try #require(created.welcome)
        let announce = DAVEServerMessage.announceCommit(transitionID: 0x0A0B, commit: created.commit)
        let announceFrame = try announce.binaryFrame(sequence: 9)
        #expect(Array(announceFrame.prefix(5)) == [0, 9, 29, 0x0A, 0x0B])
        #expect(try DAVEServerMessage.decode(binaryFrame: announceFrame).message == announce)
        let welcomeMessage = DAVEServerMessage.welcome(transitionID: 4, welcome: welcome)
        #expect(try DAVEServerMessage.decode(binaryFrame: try welcomeMessage.binaryFrame(sequence: 10)).message == welcomeMessage)

        // Client side: op 26 is the bare KeyPackage; op 28 the commit then the Welcome, unprefixed.
        let keyPackage = DAVEClientMessage.keyPackage(bundle.keyPackage)
        #expect(try keyPackage.binaryFrame() == [26] + bundle.keyPackage.encoded)
        #expect(try DAVEClientMessage.decode(binaryFrame: try keyPackage.binaryFrame()) == keyPackage)
        let commitWelcome = DAVEClientMessage.commitWelcome(commit: created.commit, welcome: welcome)
        #expect(try commitWelcome.binaryFrame() == [28] + created.commit.encoded + welcome.encoded)
        #expect(try DAVEClientMessage.decode(binaryFrame: try commitWelcome.binaryFrame()) == commitWelcome)
        let commitOnly = DAVEClientMessage.commitWelcome(commit: created.commit, welcome: nil)
        #expect(try DAVEClientMessage.decode(binaryFrame: try commitOnly.binaryFrame()) == commitOnly)
    }

    @Test func hostileBinaryFramesAreRefused() throws {
        #expect(throws: DAVEError.self) { try DAVEServerMessage.decode(binaryFrame: [0, 1]) }
        #expect(throws: DAVEError.unexpectedOpcode(21)) { try DAVEServerMessage.decode(binaryFrame: [0, 1, 21]) }
        #expect(throws: DAVEError.unexpectedOpcode(26)) { try DAVEServerMessage.decode(binaryFrame: [0, 1, 26]) }
        #expect(throws: DAVEError.self) { try DAVEServerMessage.decode(binaryFrame: [0, 1, 27, 2, 0]) }
        #expect(throws: DAVEError.self) { try DAVEServerMessage.decode(binaryFrame: [0, 1, 27, 1, 1, 0, 0]) }  // trailing byte
        #expect(throws: DAVEError.self) { try DAVEClientMessage.decode(binaryFrame: []) }
        #expect(throws: DAVEError.self) { try DAVEClientMessage.decode(binaryFrame: [28]) }

        let gateway = suite.generateSignatureKeyPair()
        let sender = ExternalSender(signatureKey: gateway.publicKey, credential: .basic(identity: []))
        let bundle = try KeyPackageBundle.create(suite: suite, identity: DAVESession.identity(5), signatureKeyPair: suite.generateSignatureKeyPair())
        let proposal = try ExternalProposal.make(.add(bundle.keyPackage), suite: suite, groupID: DAVESession.identity(9), epoch: 0,
                                                 senderIndex: 0, signaturePrivateKey: gateway.privateKey)
        let samples = [try DAVEServerMessage.externalSender(sender).binaryFrame(sequence: 1),
                       try DAVEServerMessage.proposals(.append([proposal])).binaryFrame(sequence: 2)]
        var generator = SeededGenerator(seed: 0xF00D)
        for round in 0..<3000 {
            var bytes = samples[round % samples.count]
            switch round % 3 {
            case 0: bytes[Int.random(in: 3..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes.removeLast(Int.random(in: 1..<bytes.count - 2, using: &generator))
            default: bytes.append(UInt8.random(in: 0...255, using: &generator))
            }
            _ = try? DAVEServerMessage.decode(binaryFrame: bytes)
            _ = try? DAVEClientMessage.decode(binaryFrame: Array(bytes.dropFirst(2)))
        }
    }
}
