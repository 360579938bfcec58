@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// Slash-command sync spends Discord's daily command-create budget only on real changes: the
/// fingerprint is over the canonical form of the definitions, so a plugin whose encoder writes keys
/// in another order in each process (Swift's hashing is seeded per process) costs nothing on a
/// restart, while a changed option description costs exactly one bulk overwrite.
@Suite struct CommandSyncRestartTests {
    /// Every shipped plugin, as `make run` installs them.
    static let shipped = ["libExampleCCounter.so", "libExampleSwiftGreeter.so", "libRateLimit.so",
                          "libVoiceSessions.so", "libGameSessions.so"]

    @Test func restartingTheHostWithEveryShippedPluginPutsCommandsOnlyOnce() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let directory = Fixtures.temporaryDirectory("sync-restart")
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        for library in Self.shipped {
            try FileManager.default.copyItem(atPath: Fixtures.buildDirectory + "/" + library,
                                             toPath: plugins.appendingPathComponent(library).path)
        }
        let config = directory.appendingPathComponent("plugins.json").path
        try """
            {
              "host": {"owners": ["3000"]},
              "plugins": [
                {"name": "counter", "library": "libExampleCCounter.so", "config": {"tickMs": 3600000}},
                {"name": "greeter", "library": "libExampleSwiftGreeter.so", "config": {"greeting": "Hello", "announceEverySeconds": 0}},
                {"name": "ratelimit", "library": "libRateLimit.so", "config": {}},
                {"name": "voicesessions", "library": "libVoiceSessions.so", "config": {}},
                {"name": "gamesessions", "library": "libGameSessions.so", "config": {"sources": []}}
              ]
            }
            """.write(toFile: config, atomically: true, encoding: .utf8)

        for run in 1...4 {
            let log = try await Self.runHostUntilCommandsSynced(config: config, emulator: emulator)
            // The sync decision was logged, so it was made: counting PUTs now is not a race.
            #expect(emulator.commandOverwriteCount == 1, "run \(run) made a PUT although nothing changed:\n\(log)")
        }
        #expect(emulator.commands(guildID: nil).map(\.name).sorted().contains("usage"))
        await emulator.shutdown()
    }

    /// Runs `bothost run` against the emulator until it logs its command-sync decision, then stops
    /// it with SIGTERM. Returns what it logged.
    static func runHostUntilCommandsSynced(config: String, emulator: DiscordEmulator) async throws -> String {
        let host = try HostProcess(config: config, emulator: emulator)
        let decided = await eventually {
            host.log.text.contains("slash command(s) to") || host.log.text.contains("slash commands unchanged")
        }
        #expect(decided, "no sync decision logged:\n\(host.log.text)")
        #expect(host.stop() == 0, "\(host.log.text)")
        return host.log.text
    }

    @Test func keyOrderAndNumberSpellingCostNothingAndADescriptionChangeCostsOnePut() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let database = try HostDatabase(directory: Fixtures.temporaryDirectory("sync-canonical").path)
        let log = CapturedLog()
        let rest = try DiscordREST(baseURL: emulator.apiBaseURL, token: "sandbox-token", logger: log.logger())
        do {
            try await checkCanonicalSync(emulator: emulator, database: database, rest: rest, log: log)
        } catch {
            Issue.record("\(error)")
        }
        await rest.shutdown()
        await emulator.shutdown()
    }

    private func checkCanonicalSync(emulator: DiscordEmulator, database: HostDatabase, rest: DiscordREST, log: CapturedLog) async throws {
        let sync = CommandSync(rest: rest, records: database.records, logger: log.logger())
        let application = EmulatorConfiguration().applicationID

        func definitions(_ texts: [String]) throws -> [String: [UInt8]] {
            var out: [String: [UInt8]] = [:]
            for text in texts {
                let (name, canonical) = try validateCommandDefinition(Array(text.utf8))
                out[name] = canonical
            }
            return out
        }
        let first = try definitions([
            #"{"name":"usage","description":"Your usage","options":[{"type":3,"name":"who","description":"A user","required":false}]}"#,
            #"{"name":"ping","type":1,"description":"Pong"}"#,
        ])
        #expect(await sync.sync(applicationID: application, definitions: first, guilds: []) == [.synced(2)])
        #expect(emulator.commandOverwriteCount == 1)

        // The same commands, written as another process's encoder might: keys reordered, spaces,
        // a number spelled differently, an escaped character.
        let reordered = try definitions([
            #"{ "options": [{"required": false, "description": "A user", "name": "who", "type": 3.0}], "description": "Your \u0075sage", "name": "usage" }"#,
            #"{"description":"Pong","type":1e0,"name":"ping"}"#,
        ])
        #expect(await sync.sync(applicationID: application, definitions: reordered, guilds: []) == [.unchanged])
        #expect(emulator.commandOverwriteCount == 1)

        // One option description changed: exactly one PUT.
        let changed = try definitions([
            #"{"name":"usage","description":"Your usage","options":[{"type":3,"name":"who","description":"Whose usage","required":false}]}"#,
            #"{"name":"ping","type":1,"description":"Pong"}"#,
        ])
        #expect(await sync.sync(applicationID: application, definitions: changed, guilds: []) == [.synced(2)])
        #expect(await sync.sync(applicationID: application, definitions: changed, guilds: []) == [.unchanged])
        #expect(emulator.commandOverwriteCount == 2)
        #expect(emulator.commands(guildID: nil).first { $0.name == "usage" }?.json.contains("Whose usage") == true)
    }
}
