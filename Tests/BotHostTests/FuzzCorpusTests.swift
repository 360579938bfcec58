@_spi(Fuzzing) import BotHost
import Foundation
@_spi(Fuzzing) import GameSessionsCore
import Testing

/// Every committed fuzz input — the seed corpus, what the fuzzer added to it, and the inputs of
/// past crashes — through its parser, without a sanitizer, on every test run: a regression in a
/// parser that the fuzzer once covered shows up here, not only in the next `make fuzz`.
@Suite struct FuzzCorpusTests {
    /// The fuzz targets (Fuzz/Package.swift) and the entry each drives.
    static let targets = ["FuzzGatewayFrames", "FuzzGatewayPayloads", "FuzzPluginsFile", "FuzzFeeds", "FuzzVoiceMedia",
                          "FuzzInteractions", "FuzzDAVE", "FuzzIsolationFrames", "FuzzControlRequests"]

    static func entry(_ target: String) -> ([UInt8]) -> Void {
        switch target {
        case "FuzzGatewayFrames": FuzzEntry.gatewayFrames
        case "FuzzGatewayPayloads": FuzzEntry.gatewayPayload
        case "FuzzPluginsFile": FuzzEntry.pluginsFile
        case "FuzzFeeds": FeedFuzzEntry.run
        case "FuzzVoiceMedia": FuzzEntry.voiceMedia
        case "FuzzDAVE": FuzzEntry.dave
        case "FuzzIsolationFrames": FuzzEntry.isolationFrames
        case "FuzzControlRequests": FuzzEntry.controlRequests
        default: FuzzEntry.interaction
        }
    }

    /// The files under Fuzz/<folder>/<target>/ (none if the folder does not exist).
    static func inputs(_ folder: String, _ target: String) throws -> [URL] {
        let directory = Fixtures.packageRoot.appendingPathComponent("Fuzz/\(folder)/\(target)")
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test(arguments: targets) func everyCommittedInputRunsThroughItsParser(target: String) throws {
        let corpus = try Self.inputs("Corpus", target)
        #expect(corpus.contains { $0.lastPathComponent.hasPrefix("seed-") }, "\(target) has no seed inputs")
        let run = Self.entry(target)
        for file in try corpus + Self.inputs("Regressions", target) {
            run(Array(try Data(contentsOf: file)))
        }
    }

    @Test func everyTargetHasACorpusFolder() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot.appendingPathComponent("Fuzz/Corpus").path)
        #expect(Set(folders) == Set(Self.targets))
    }
}
