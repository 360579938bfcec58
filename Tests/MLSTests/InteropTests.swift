import Foundation
@testable import MLS
import Testing

/// Interop with davey (OpenMLS) and libdave (mlspp) through their Python packages; see
/// Interop/README.md. Runs only when MLS_INTEROP_PYTHON is set.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MLS_INTEROP_PYTHON"] != nil))
struct InteropTests {
    @Test func daveyOpenMLS() throws { try runScenario(script: "davey_member.py") }
    @Test func libdaveMLSpp() throws { try runScenario(script: "libdave_member.py") }

    /// The other side's messages arrive as files (see Interop/exchange.py).
    struct Exchange {
        let directory: URL
        let process: Process

        func put(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
            try Data().write(to: directory.appendingPathComponent("\(name).done"))
        }

        /// Waits for the file to be complete, the other side to fail, or 60 s.
        func wait(_ name: String) throws -> [UInt8] {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("error.done").path) {
                    let reason = String(decoding: try Data(contentsOf: directory.appendingPathComponent("error")), as: UTF8.self)
                    throw MLSError.invalid("the other member failed: \(reason)")
                }
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(name).done").path) {
                    return Array(try Data(contentsOf: directory.appendingPathComponent(name)))
                }
                guard process.isRunning else { throw MLSError.invalid("the other member exited before sending \(name)") }
                Thread.sleep(forTimeInterval: 0.02)
            }
            throw MLSError.invalid("no \(name) from the other member")
        }
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) } }

    /// Op 27's proposals: a vector of MLSMessages.
    private static func proposals(_ messages: [MLSMessage]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeVector(messages)
        return writer.bytes
    }

    private func runScenario(script: String) throws {
        let python = try #require(ProcessInfo.processInfo.environment["MLS_INTEROP_PYTHON"])
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mls-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scripts.appendingPathComponent(script).path, directory.path]
        process.currentDirectoryURL = scripts
        // No __pycache__ left in the source tree.
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONDONTWRITEBYTECODE": "1"]) { _, new in new }
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let other = Exchange(directory: directory, process: process)

        let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256
        let gateway = suite.generateSignatureKeyPair()
        let externalSender = ExternalSender(signatureKey: gateway.publicKey, credential: .basic(identity: []))
        let channel = Self.bigEndian(1234)
        func fromGateway(_ proposal: Proposal, epoch: UInt64) throws -> MLSMessage {
            try ExternalProposal.make(proposal, suite: suite, groupID: channel, epoch: epoch, senderIndex: 0, signaturePrivateKey: gateway.privateKey)
        }
        try other.put("external_sender", externalSender.encoded)
        var first = try Group.create(suite: suite, groupID: channel, identity: Self.bigEndian(111), signatureKeyPair: suite.generateSignatureKeyPair(),
                                     extensions: [ExternalSender.extensionData([externalSender])], currentTime: UInt64(Date().timeIntervalSince1970))

        // 1. We commit the Add of the other member; it joins from our Welcome.
        let keyPackage = try KeyPackage(decoding: try other.wait("key_package"))
        try first.receiveProposal(try fromGateway(.add(keyPackage), epoch: 0))
        let commit1 = try first.commit()
        first = commit1.nextGroup
        try other.put("welcome1", try #require(commit1.welcome).encoded)
        #expect(try other.wait("authenticator1") == first.epochAuthenticator, "\(script): after our Add")

        // 2. The other member commits the Add of a second Swift member (commit then Welcome, op 28).
        let bundle = try KeyPackageBundle.create(suite: suite, identity: Self.bigEndian(333), signatureKeyPair: suite.generateSignatureKeyPair())
        let add = try fromGateway(.add(bundle.keyPackage), epoch: first.epoch)
        try first.receiveProposal(add)
        try other.put("proposals2", Self.proposals([add]))
        var reader = TLSReader(try other.wait("commit_welcome2"))
        let commit2 = try MLSMessage(from: &reader)
        let welcome2 = try Welcome(from: &reader)
        try reader.requireEnd()
        try other.put("winning_commit2", commit2.encoded)
        first = try first.processCommit(commit2)
        var second = try Group.join(welcome: welcome2, keyPackage: bundle)
        let authenticator2 = try other.wait("authenticator2")
        #expect(authenticator2 == first.epochAuthenticator && authenticator2 == second.epochAuthenticator, "\(script): after its Add")

        // 3. We commit the Remove of the second Swift member; the other member processes it.
        let remove = try fromGateway(.remove(leafIndex: second.myLeafIndex), epoch: first.epoch)
        try first.receiveProposal(remove)
        try second.receiveProposal(remove)
        try other.put("proposals3", Self.proposals([remove]))
        let commit3 = try first.commit()
        first = commit3.nextGroup
        try other.put("commit3", commit3.commit.encoded)
        #expect(throws: MLSError.removedFromGroup) { try second.processCommit(commit3.commit) }
        #expect(try other.wait("authenticator3") == first.epochAuthenticator, "\(script): after our Remove")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        print("MLS interop \(script): 3 epochs, authenticators equal")
    }
}
