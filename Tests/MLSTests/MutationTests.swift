import Foundation
@testable import MLS
import BotHostTestSupport
import Testing

/// A seeded random mutation test: every decoder, commit processing and joining from a Welcome
/// meet corrupted input and must answer with a typed error, never a crash or a silent success.
///
/// By default one round of fixed size, so `make test` stays fast. `MLS_MUTATION_SECONDS=600` turns
/// it into a timed fuzz run: rounds repeat, each with the next seed after the base seed
/// (`MLS_MUTATION_SEED`, printed), and stacking up to three corruptions, until the time is spent;
/// a summary line gives the inputs tried. A crash ends the process, so the last "round" line
/// printed names the seed that reproduces it.
@Suite struct MutationTests {
    /// The run's shape, from the environment.
    struct Budget {
        /// nil: one round of the fixed size.
        let seconds: Double?
        let baseSeed: UInt64?

        static let current: Budget = {
            let environment = ProcessInfo.processInfo.environment
            return Budget(seconds: environment["MLS_MUTATION_SECONDS"].flatMap(Double.init),
                          baseSeed: environment["MLS_MUTATION_SEED"].flatMap { UInt64($0.replacingOccurrences(of: "0x", with: ""), radix: 16) })
        }()

        /// Calls `round` with each round's seed until the budget is spent (once when untimed).
        func rounds(defaultSeed: UInt64, label: String, _ round: (UInt64) throws -> Void) rethrows {
            let base = baseSeed ?? defaultSeed
            guard let seconds else { return try round(base) }
            print("MLS mutation \(label): base seed 0x\(String(base, radix: 16)), \(Int(seconds)) s")
            let deadline = Date().addingTimeInterval(seconds)
            var seed = base
            repeat {
                print("MLS mutation \(label): round seed 0x\(String(seed, radix: 16))")
                try round(seed)
                seed &+= 1
            } while Date() < deadline
        }

        /// Corruptions stacked on one input: one by default, up to three when timed.
        func corruptions(_ random: inout SplitMix64) -> Int {
            seconds == nil ? 1 : Int.random(in: 1...3, using: &random)
        }
    }

    /// One random corruption: flipped bits, a changed byte, truncation, inserted or removed bytes.
    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
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

    static func mutate(_ input: [UInt8], times: Int, _ random: inout SplitMix64) -> [UInt8] {
        (0..<times).reduce(input) { bytes, _ in mutate(bytes, &random) }
    }

    static func isTyped(_ error: any Error) -> Bool {
        error is MLSCodecError || error is MLSError
    }

    @Test func decodersRefuseCorruptInputWithTypedErrors() throws {
        let budget = Budget.current
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
        for (_, original, decode) in samples { try decode(original) }  // every sample is valid to start with
        var tried: [String: Int] = [:]
        var refused = 0
        var untyped = 0
        var mutations = 0
        try budget.rounds(defaultSeed: 0x5EED_0001, label: "decoders") { seed in
            var random = SplitMix64(state: seed)
            for (name, original, decode) in samples {
                for _ in 0..<60 {
                    let mutated = Self.mutate(original, times: budget.corruptions(&random), &random)
                    mutations += 1
                    tried[name, default: 0] += 1
                    do {
                        try decode(mutated)
                    } catch {
                        #expect(Self.isTyped(error), "\(name): \(error)")
                        if Self.isTyped(error) { refused += 1 } else { untyped += 1 }
                    }
                }
            }
        }
        let perDecoder = tried.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("MLS mutation decoders: \(mutations) corrupted encodings (\(perDecoder)); \(refused) refused with typed errors, "
              + "\(untyped) with other errors, \(mutations - refused - untyped) decoded; 0 crashes")
        #expect(refused > mutations / 2)
    }

    @Test func commitAndWelcomeProcessingRefuseCorruptInput() throws {
        let budget = Budget.current
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

        var commits = 0, welcomes = 0, refused = 0, untyped = 0, accepted = 0
        try budget.rounds(defaultSeed: 0x5EED_0002, label: "commit/welcome") { seed in
            var random = SplitMix64(state: seed)
            for _ in 0..<150 {
                let mutated = Self.mutate(commitWire, times: budget.corruptions(&random), &random)
                guard mutated != commitWire else { continue }
                commits += 1
                do {
                    _ = try receiver.processCommit(try MLSMessage(decoding: mutated))
                    accepted += 1
                    Issue.record("a corrupted commit was accepted")
                } catch {
                    #expect(Self.isTyped(error), "\(error)")
                    if Self.isTyped(error) { refused += 1 } else { untyped += 1 }
                }
            }
            for _ in 0..<150 {
                let mutated = Self.mutate(welcomeWire, times: budget.corruptions(&random), &random)
                guard mutated != welcomeWire else { continue }
                welcomes += 1
                do {
                    _ = try Group.join(welcome: try Welcome(decoding: mutated), keyPackage: thirdBundle)
                    accepted += 1
                    Issue.record("a corrupted Welcome was accepted")
                } catch {
                    #expect(Self.isTyped(error), "\(error)")
                    if Self.isTyped(error) { refused += 1 } else { untyped += 1 }
                }
            }
        }
        print("MLS mutation commit/welcome: \(commits) corrupted commits, \(welcomes) corrupted Welcomes; \(refused) refused with typed errors, "
              + "\(untyped) with other errors, \(accepted) accepted; 0 crashes")
    }
}
