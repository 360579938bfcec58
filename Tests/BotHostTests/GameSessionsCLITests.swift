@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// The real `bothost run` process with libGameSessions.so, against the emulator (in this test
/// process) and a loopback feed, killed with SIGKILL while it posts: after the restart every
/// session has exactly one message, changes are edits, and what vanished meanwhile is ended.
@Suite struct GameSessionsCLITests {
    typealias Feed = OpenRAFeedJSON

    @Test func kill9WhilePostingLeavesNoDuplicate() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration.gameSessions)
        try await emulator.start()
        let feed = try await GameSessionsFeedServer()
        var games = (1...8).map { Feed.game($0, "Game \($0)") }
        feed.serve("/games", json: Feed.json(games))

        let directory = Fixtures.temporaryDirectory("gamesessions-cli")
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.buildDirectory + "/libGameSessions.so",
                                         toPath: plugins.appendingPathComponent("libGameSessions.so").path)
        let config = directory.appendingPathComponent("plugins.json").path
        try """
            {"host": {"owners": ["7"], "commandGuilds": ["2000"]},
             "plugins": [{"name": "gamesessions", "library": "libGameSessions.so",
                          "config": {"sources": [{"id": "lobby", "url": "\(feed.url("/games"))", "interval": 3600, "channel": "2001"}]}}]}
            """.write(toFile: config, atomically: true, encoding: .utf8)

        func creates() -> Int {
            emulator.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/channels/2001/messages") && $0.status == 200 }.count
        }

        // Killed while the eight creates go out (five fit the first window, the rest wait).
        let first = try launch(config: config, emulator: emulator)
        #expect(await eventually { creates() >= 3 })
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .uncaughtSignal)
        let postedBeforeKill = Set(sessionsOfMessages(emulator).keys)

        // While it is down, game 1 is renamed and game 8 ends.
        games[0]["name"] = "Game 1 renamed"
        games.removeLast()
        feed.serve("/games", json: Feed.json(games))
        let second = try launch(config: config, emulator: emulator)
        let done = await eventually(timeout: .seconds(40)) {
            let messages = sessionsOfMessages(emulator)
            return (1...7).allSatisfy { messages["\($0)"]?.count == 1 }
                && messages["1"]?.first == "Game 1 renamed"
                // Game 8 shows its end, or never had a message (its create had not gone out).
                && (messages["8"] == ["❌ Session Ended: Game 8"] || (messages["8"] == nil && !postedBeforeKill.contains("8")))
        }
        let messages = sessionsOfMessages(emulator)
        #expect(done, "\(messages)\noutput: \(second.output.text)")
        #expect(messages.values.allSatisfy { $0.count == 1 }, "duplicates: \(messages.filter { $0.value.count > 1 })")
        second.process.terminate()
        second.process.waitUntilExit()
        await feed.close()
        await emulator.shutdown()
    }

    /// Session id → titles of the channel's messages for it (from each embed's footer).
    private func sessionsOfMessages(_ emulator: DiscordEmulator) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for message in emulator.messages(in: 2001) {
            let embed = ((try? JSONSerialization.jsonObject(with: Data(message.embedsJSON.utf8))) as? [[String: Any]])?.first ?? [:]
            let footer = (embed["footer"] as? [String: Any])?["text"] as? String ?? ""
            guard let range = footer.range(of: "session ") else { continue }
            result[String(footer[range.upperBound...]), default: []].append(embed["title"] as? String ?? "")
        }
        return result
    }

    private func launch(config: String, emulator: DiscordEmulator) throws -> (process: Process, output: OutputCollector) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.buildDirectory + "/bothost")
        process.arguments = ["run", "--config", config, "--no-console", "--api-url", emulator.apiBaseURL,
                             "--gateway-url", emulator.gatewayURL]
        var environment = ProcessInfo.processInfo.environment
        environment["DISCORD_TOKEN"] = "sandbox-token"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = output
        let collector = OutputCollector(output.fileHandleForReading)
        try process.run()
        return (process, collector)
    }
}
