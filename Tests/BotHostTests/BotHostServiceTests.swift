@testable import BotHost
import DiscordEmulator
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The host as the CLI runs it: `BotHostService` in a `ServiceGroup`, against the local Discord.
@Suite struct BotHostServiceTests {
    private static func describe(_ event: LifecycleEvent) -> String? {
        switch event {
        case .pluginStarted(let started): "started \(started.plugin)"
        case .pluginStopped(let stopped): "stopped \(stopped.plugin)"
        case .commandsChanged: "commands changed"
        case .shardReady: "shard ready"
        default: nil
        }
    }

    @Test func itConnectsRunsThePluginsAndStopsEverythingWhenACompanionReturns() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let directory = Fixtures.temporaryDirectory("service")
        let host = try TestHost(directory: directory, manualClock: false)
        let configPath = directory.appendingPathComponent("plugins.json").path
        let counter = Fixtures.built("libExampleCCounter.so")
        let text = #"{"plugins": [{"name": "counter", "library": \#(jsonString(counter)), "config": {"tickMs": 3600000}}]}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        let file = try PluginsFileLoader.load(contentsOf: configPath)
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [2000])
        let lifecycle = host.runtime.events.stream()
        let answer = Mutex<String?>(nil)

        // The companion plays the user: once the command is synced it runs /count and waits for
        // the answer; returning ends the host, as `quit` on the console does.
        let user: BotHostService.Companion = { connection in
            guard connection != nil, await eventually({ emulator.commandOverwriteCount == 1 }) else { return }
            let (interactionID, _) = emulator.userInvokesCommand(name: "count", options: #"[{"name":"add","type":4,"value":5}]"#)
            _ = await eventually { !emulator.interactionResponses(interactionID).isEmpty }
            answer.withLock { $0 = emulator.interactionResponses(interactionID).first?.body }
        }
        let service = BotHostService(configPath: configPath, initial: file, parts: host.parts,
                                     discord: settings, companions: [user], logger: Logger(label: "bothost"))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: Logger(label: "bothost")))
        try await group.run()

        #expect(answer.withLock { $0 }?.contains("Count: 5") == true)
        // Everything stopped: the plugins, the connection, and the runtime (which ends the stream).
        #expect(host.runtime.discord == nil)
        var seen: [String] = []
        for await event in lifecycle {
            if let line = Self.describe(event) { seen.append(line) }
        }
        // The plugin starts (registering its command) before the gateway connects, and stops after.
        let started = try #require(seen.firstIndex(of: "started counter"))
        let ready = try #require(seen.firstIndex(of: "shard ready"))
        let stopped = try #require(seen.firstIndex(of: "stopped counter"))
        #expect(started < ready && ready < stopped, "\(seen)")
        #expect(seen.contains("commands changed"))
        await emulator.shutdown()
    }
}
