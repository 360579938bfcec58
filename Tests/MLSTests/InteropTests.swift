import Foundation
@testable import MLS
import Testing

/// Interop with davey (OpenMLS) and libdave (mlspp) through their Python packages; see
/// Interop/README.md. The Python is MLS_INTEROP_PYTHON or else the project's .venv (which
/// `make test` creates from Tests/Interop/requirements.txt); without it, or without the packages,
/// the tests fail and say so: they are never skipped.
struct InteropTests {
    @Test func daveyOpenMLS() throws { try runScenario(script: "davey_member.py") }
    @Test func libdaveMLSpp() throws { try runScenario(script: "libdave_member.py") }

    /// The Python with davey and dave.py, or an error that says what is missing.
    static func interopPython() throws -> String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = ProcessInfo.processInfo.environment["MLS_INTEROP_PYTHON"] ?? repository.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw MLSError.invalid("no Python at \(python) for the interop tests: run `make test` (or scripts/install-interop-deps.sh) to create .venv, or set MLS_INTEROP_PYTHON")
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import davey, dave"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        guard check.terminationStatus == 0 else {
            throw MLSError.invalid("\(python) cannot import davey and dave (dave.py): install Tests/Interop/requirements.txt into it")
        }
        return python
    }

    /// Messages cross the other process's standard input and output, a line each: "NAME HEX"
    /// (see Interop/exchange.py). Reads block until the line arrives or the process ends.
    final class Exchange {
        let process: Process
        private let input: FileHandle
        private let output: FileHandle
        private var buffered: [UInt8] = []

        init(process: Process, input: FileHandle, output: FileHandle) {
            self.process = process
            self.input = input
            self.output = output
        }

        func put(_ name: String, _ bytes: [UInt8]) throws {
            try input.write(contentsOf: Data((name + " " + bytes.map { String(format: "%02x", $0) }.joined() + "\n").utf8))
        }

        func wait(_ name: String) throws -> [UInt8] {
            let line = try readLine(awaiting: name)
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let payload = try Self.bytes(fromHex: parts.count > 1 ? parts[1] : "")
            if parts.first == "error" { throw MLSError.invalid("the other member failed: \(String(decoding: payload, as: UTF8.self))") }
            guard parts.first == name else { throw MLSError.invalid("expected \(name) from the other member, got \(parts.first ?? "")") }
            return payload
        }

        private func readLine(awaiting name: String) throws -> String {
            while true {
                if let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffered[..<end], as: UTF8.self)
                    buffered.removeSubrange(...end)
                    return line
                }
                let chunk = output.availableData  // blocks until data or end of file
                guard !chunk.isEmpty else { throw MLSError.invalid("the other member exited before sending \(name)") }
                buffered += chunk
            }
        }

        private static func bytes(fromHex text: String) throws -> [UInt8] {
            let digits = Array(text.utf8)
            guard digits.count % 2 == 0 else { throw MLSError.invalid("odd-length hex from the other member") }
            return try stride(from: 0, to: digits.count, by: 2).map { index in
                guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                    throw MLSError.invalid("bad hex from the other member")
                }
                return byte
            }
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
        let python = try Self.interopPython()
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scripts.appendingPathComponent(script).path]
        process.currentDirectoryURL = scripts
        // No __pycache__ left in the source tree.
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONDONTWRITEBYTECODE": "1"]) { _, new in new }
        let toOther = Pipe(), fromOther = Pipe()
        process.standardInput = toOther
        process.standardOutput = fromOther
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let other = Exchange(process: process, input: toOther.fileHandleForWriting, output: fromOther.fileHandleForReading)

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
