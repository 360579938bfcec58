@testable import MLS
import Testing

/// A seeded random mutation test: every decoder, commit processing and joining from a Welcome
/// meet corrupted input and must answer with a typed error, never a crash or a silent success.
@Suite struct MutationTests {
    /// SplitMix64: a fixed seed makes every run mutate the same way.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One random corruption: flipped bits, a changed byte, truncation, inserted or removed bytes.
    static func mutate(_ input: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return [UInt8.random(in: 0...255, using: &random)] }
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            let index = Int.random(in: 0..<bytes.count, using: &random)
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
        case 1:
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        case 2:
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
        case 3:
            bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
        case 4:
            bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
        default:
            // A length-like byte turned into a large or non-minimal varint.
            let index = Int.random(in: 0..<bytes.count, using: &random)
            bytes[index] = [0x40, 0x80, 0xC0, 0xFF, 0x7F, 0xBF][Int.random(in: 0..<6, using: &random)]
        }
        return bytes
    }

    static func isTyped(_ error: any Error) -> Bool {
        error is MLSCodecError || error is MLSError
    }

    @Test func decodersRefuseCorruptInputWithTypedErrors() throws {
        var random = SeededGenerator(state: 0x5EED_0001)
        let entries = try Vectors.load("messages")
        var samples: [(String, [UInt8], ([UInt8]) throws -> Void)] = []
        for entry in entries.prefix(8) {
            for key in ["mls_welcome", "mls_group_info", "mls_key_package", "public_message_application", "public_message_proposal",
                        "public_message_commit", "private_message"] {
                samples.append((key, try entry.bytes(key), { _ = try MLSMessage(decoding: $0) }))
            }
            samples.append(("ratchet_tree", try entry.bytes("ratchet_tree"), { _ = try RatchetTree(decoding: $0) }))
            samples.append(("group_secrets", try entry.bytes("group_secrets"), { _ = try GroupSecrets(decoding: $0) }))
            samples.append(("add_proposal", try entry.bytes("add_proposal"), { _ = try KeyPackage(decoding: $0) }))
            samples.append(("update_proposal", try entry.bytes("update_proposal"), { _ = try LeafNode(decoding: $0) }))
            samples.append(("pre_shared_key_proposal", try entry.bytes("pre_shared_key_proposal"), { _ = try PreSharedKeyID(decoding: $0) }))
            samples.append(("re_init_proposal", try entry.bytes("re_init_proposal"), { _ = try ReInit(decoding: $0) }))
            samples.append(("commit", try entry.bytes("commit"), { _ = try Commit(decoding: $0) }))
        }
        let transcript = try Vectors.load("transcript-hashes")[0]
        samples.append(("authenticated_content", try transcript.bytes("authenticated_content"), { _ = try AuthenticatedContent(decoding: $0) }))
        var refused = 0
        var mutations = 0
        for (name, original, decode) in samples {
            try decode(original)  // every sample is valid to start with
            for _ in 0..<60 {
                let mutated = Self.mutate(original, &random)
                mutations += 1
                do {
                    try decode(mutated)
                } catch {
                    #expect(Self.isTyped(error), "\(name): \(error)")
                    refused += 1
                }
            }
        }
        print("MLS mutation: \(mutations) corrupted encodings, \(refused) refused with typed errors, the rest decoded")
        #expect(refused > mutations / 2)
    }

    @Test func commitAndWelcomeProcessingRefuseCorruptInput() throws {
        var random = SeededGenerator(state: 0x5EED_0002)
        var fixture = try GroupFixture()
        let (name, bundle) = try fixture.newJoiner()
        try fixture.externalProposal(.add(bundle.keyPackage))
        try fixture.commit(by: "member-0", joiners: [name: bundle])
        let (_, thirdBundle) = try fixture.newJoiner()
        try fixture.externalProposal(.add(thirdBundle.keyPackage))
        let created = try fixture.members["member-0"]!.commit(forcePath: true)
        let commitWire = created.commit.encoded
        let welcomeWire = try #require(created.welcome).encoded
        let receiver = fixture.members[name]!
        _ = try receiver.processCommit(try MLSMessage(decoding: commitWire))
        _ = try Group.join(welcome: try Welcome(decoding: welcomeWire), keyPackage: thirdBundle)

        for _ in 0..<150 {
            let mutated = Self.mutate(commitWire, &random)
            guard mutated != commitWire else { continue }
            do {
                _ = try receiver.processCommit(try MLSMessage(decoding: mutated))
                Issue.record("a corrupted commit was accepted")
            } catch {
                #expect(Self.isTyped(error), "\(error)")
            }
        }
        for _ in 0..<150 {
            let mutated = Self.mutate(welcomeWire, &random)
            guard mutated != welcomeWire else { continue }
            do {
                _ = try Group.join(welcome: try Welcome(decoding: mutated), keyPackage: thirdBundle)
                Issue.record("a corrupted Welcome was accepted")
            } catch {
                #expect(Self.isTyped(error), "\(error)")
            }
        }
    }
}
