import DAVE
import Foundation
import MLS

/// DAVE's per-frame cost and a member's commit processing, in thread CPU time (the work is
/// synchronous on one thread; CPU time leaves out the other processes sharing the machine).
/// Frames: one 20 ms Opus frame (120 bytes) encrypted by a member's encryptor and decrypted by
/// another's decryptor, in batches.
/// Commits: in an 8-member call, a member processes another's commit adding a ninth (and then
/// removing it), as `DAVESession.receive` does it: MLS processing plus the new epoch's receive keys.
enum DAVEBench {
    static let frameBytes = 120
    static let batches = 50
    static let framesPerBatch = 2_000
    static let commitRepetitions = 30

    static func run(_ env: BenchEnvironment) async throws {
        try frames()
        try commits()
    }

    static func frames() throws {
        let secret = [UInt8](repeating: 0x42, count: 16)
        let encryptor = DAVEFrameEncryptor()
        encryptor.setKeyRatchet(DAVEKeyRatchet(baseSecret: secret))
        let decryptor = DAVEFrameDecryptor()
        decryptor.transition(to: DAVEKeyRatchet(baseSecret: secret))
        decryptor.setPassthrough(false)
        let opus = (0..<frameBytes).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var encrypted: [UInt8] = [], decrypted: [UInt8] = []
        encrypted.reserveCapacity(256)
        decrypted.reserveCapacity(256)
        var encryptNs: [UInt64] = [], decryptNs: [UInt64] = []
        var frames: [[UInt8]] = Array(repeating: [], count: framesPerBatch)
        for _ in 0..<batches {
            var start = GatewayBench.threadCPUNs()
            for index in 0..<framesPerBatch {
                try opus.withUnsafeBytes { try encryptor.encrypt($0, into: &encrypted) }
                frames[index] = encrypted
            }
            // The copy into `frames` is bookkeeping, not encryption, but is left in: it errs high.
            encryptNs.append((GatewayBench.threadCPUNs() - start) / UInt64(framesPerBatch))
            start = GatewayBench.threadCPUNs()
            for frame in frames {
                try frame.withUnsafeBytes { try decryptor.decrypt($0, into: &decrypted) }
            }
            decryptNs.append((GatewayBench.threadCPUNs() - start) / UInt64(framesPerBatch))
            guard decrypted == opus else { throw BenchError(message: "DAVE: a frame did not round-trip") }
        }
        for (name, samples) in [("DAVE encrypt 20 ms Opus frame (p50 / p90)", encryptNs), ("DAVE decrypt 20 ms Opus frame (p50 / p90)", decryptNs)] {
            let sorted = samples.sorted()
            let p50 = Double(percentile(sorted, 0.5)) / 1000, p90 = Double(percentile(sorted, 0.9)) / 1000
            report(name, String(format: "%.2f / %.2f µs", p50, p90), target: "< 5 µs", met: p90 < 5)
        }
        print("       \(batches) batches of \(framesPerBatch) frames of \(frameBytes) bytes; thread CPU time per frame")
    }

    static func commits() throws {
        let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256
        let gateway = suite.generateSignatureKeyPair()
        let sender = ExternalSender(signatureKey: gateway.publicKey, credential: .basic(identity: []))
        let channel: UInt64 = 77
        let groupID = withUnsafeBytes(of: channel.bigEndian, Array.init)
        func proposal(_ proposal: Proposal, epoch: UInt64) throws -> DAVEServerMessage {
            .proposals(.append([try ExternalProposal.make(proposal, suite: suite, groupID: groupID, epoch: epoch, senderIndex: 0,
                                                          signaturePrivateKey: gateway.privateKey)]))
        }
        func keyPackage(_ events: [DAVESessionEvent]) throws -> KeyPackage {
            for case .send(.keyPackage(let keyPackage)) in events { return keyPackage }
            throw BenchError(message: "DAVE: no key package")
        }
        func commit(_ events: [DAVESessionEvent]) throws -> MLSMessage {
            for case .send(.commitWelcome(let commit, _)) in events { return commit }
            throw BenchError(message: "DAVE: no commit")
        }

        // An 8-member call: member 1 commits the Adds of 2...8; they join from its Welcome.
        let users = Array(UInt64(1)...8)
        var sessions: [DAVESession] = []
        var keyPackages: [KeyPackage] = []
        for user in users {
            let session = DAVESession(userID: user, channelID: channel)
            session.clientsConnected(users + [100])
            keyPackages.append(try keyPackage(try session.start(protocolVersion: 1)))
            _ = try session.receive(.externalSender(sender))
            sessions.append(session)
        }
        var adds: [MLSMessage] = []
        for keyPackage in keyPackages.dropFirst() {
            adds.append(try ExternalProposal.make(.add(keyPackage), suite: suite, groupID: groupID, epoch: 0, senderIndex: 0,
                                                  signaturePrivateKey: gateway.privateKey))
        }
        var welcome: Welcome?
        for case .send(.commitWelcome(let created, let createdWelcome)) in try sessions[0].receive(.proposals(.append(adds))) {
            _ = try sessions[0].receive(.announceCommit(transitionID: 1, commit: created))
            welcome = createdWelcome
        }
        guard let welcome else { throw BenchError(message: "DAVE: no Welcome for the 8-member call") }
        for session in sessions.dropFirst() { _ = try session.receive(.welcome(transitionID: 1, welcome: welcome)) }
        for session in sessions { _ = try session.receive(.executeTransition(transitionID: 1)) }
        guard Set(sessions.map(\.privacyCode)).count == 1, sessions[0].members.count == 8 else {
            throw BenchError(message: "DAVE: the 8-member call did not form")
        }

        // Member 1 commits the Add of a ninth user, member 2 processes it (timed); then the Remove.
        let committer = sessions[0], processor = sessions[1]
        var addMs: [Double] = [], removeMs: [Double] = []
        var transition: UInt16 = 2
        for _ in 0..<commitRepetitions {
            let joiner = DAVESession(userID: 100, channelID: channel)
            let joinerPackage = try keyPackage(try joiner.start(protocolVersion: 1))
            for (proposed, timings) in [(Proposal.add(joinerPackage), 0), (Proposal.remove(leafIndex: 8), 1)] {
                guard let epoch = committer.epoch else { throw BenchError(message: "DAVE: no epoch") }
                let message = try proposal(proposed, epoch: epoch)
                let winning = try commit(try committer.receive(message))
                _ = try processor.receive(message)
                let start = GatewayBench.threadCPUNs()
                _ = try processor.receive(.announceCommit(transitionID: transition, commit: winning))
                let elapsed = Double(GatewayBench.threadCPUNs() - start) / 1e6
                if timings == 0 { addMs.append(elapsed) } else { removeMs.append(elapsed) }
                _ = try committer.receive(.announceCommit(transitionID: transition, commit: winning))
                guard processor.privacyCode == committer.privacyCode else { throw BenchError(message: "DAVE: members disagree") }
                transition += 1
            }
        }
        MLSBench.reportTimings(addMs, "DAVE process commit adding to 8-member call", targetMs: 5)
        MLSBench.reportTimings(removeMs, "DAVE process commit removing from 9 to 8", targetMs: 5)
        print("       \(commitRepetitions) repetitions, thread CPU time; DAVESession.receive of op 29: MLS processing and the new receive keys")
    }
}
