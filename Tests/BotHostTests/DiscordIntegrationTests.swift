@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// The real host against the local Discord: commands synced once, interactions routed to plugins
/// and answered, dispatches on the bus, and every request the host sent valid per Discord's spec.
@Suite struct DiscordIntegrationTests {
    /// A host with the counter plugin, connected to `emulator`.
    private func connect(_ host: TestHost, _ emulator: DiscordEmulator, plugins: String) async throws -> DiscordConnection {
        try await host.apply(plugins: plugins)
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [2000])
        let connection = try DiscordConnection(settings: settings, runtime: host.runtime)
        try await connection.start(intents: await host.manager.gatewayIntents | (1 << 9) | (1 << 15))
        return connection
    }

    private func counterPlugins(_ counter: String) -> String {
        #"[{"name": "counter", "library": \#(jsonString(counter)), "config": {"tickMs": 3600000}}]"#
    }

    @Test func slashCommandsAreSyncedOnceAndAnsweredThroughDiscord() async throws {
        var configuration = EmulatorConfiguration()
        configuration.privilegedIntentsAllowed = 1 << 15  // MESSAGE_CONTENT, as enabled in the developer portal
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        let directory = Fixtures.temporaryDirectory("discord")
        let counter = Fixtures.built("libExampleCCounter.so")
        let log = CapturedLog()

        let host = try TestHost(directory: directory, manualClock: false, logger: log.logger())
        let trace = TraceFile(in: directory)
        let probe = #"{"name": "probe", "library": \#(jsonString(try Fixtures.fixture("probe"))), "config": {"traceFile": \#(jsonString(trace.path)), "origin": "discord.MESSAGE_CREATE"}}"#
        let connection = try await connect(host, emulator, plugins: "[" + counterPlugins(counter).dropFirst().dropLast() + ", " + probe + "]")
        #expect(await eventually { emulator.commandOverwriteCount == 1 })
        #expect(emulator.commands(guildID: 2000).contains { $0.name == "count" })

        // A user runs /count add:5 in Discord; the plugin answers through the interaction callback.
        let (interactionID, _) = emulator.userInvokesCommand(name: "count", options: #"[{"name":"add","type":4,"value":5}]"#)
        #expect(await eventually { !emulator.interactionResponses(interactionID).isEmpty })
        let response = try #require(emulator.interactionResponses(interactionID).first)
        #expect(response.type == 4)
        #expect(response.body.contains("Count: 5"))
        #expect(response.body.contains("64"))  // ephemeral

        // Dispatches reach the bus as discord.<EVENT> with Discord's own bytes, and a plugin can
        // tell the shard and sequence number they came with.
        emulator.userSendsMessage(channelID: 2001, content: "hello from a user")
        #expect(await eventually { host.events("discord.MESSAGE_CREATE").contains { $0.contains("hello from a user") } })
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("origin discord.MESSAGE_CREATE 0 ") } }, "\(trace.text)")
        let sequence = trace.lines.first { $0.hasPrefix("origin discord.MESSAGE_CREATE 0 ") }?.split(separator: " ")[3]
        #expect(sequence.flatMap { Int($0) }.map { $0 > 1 } == true)

        await connection.stop()
        await host.shutdown()

        // A restart with the same command set spends no command-create budget.
        let unchanged = { log.all.filter { $0.contains("slash commands unchanged") }.count }
        let comparedBefore = unchanged()
        let again = try TestHost(directory: directory, manualClock: false, logger: log.logger())
        let second = try await connect(again, emulator, plugins: counterPlugins(counter))
        #expect(await eventually { unchanged() > comparedBefore }, "the second host compared its commands with the last sync")
        #expect(emulator.commandOverwriteCount == 1)
        await second.stop()
        await again.shutdown()

        expectRequestsConformToDiscordSpec(emulator)
        // The token never reached a log line.
        #expect(!log.all.isEmpty)
        #expect(!log.all.contains { $0.contains("sandbox-token") })
        await emulator.shutdown()
    }

    @Test func aPluginThatNeedsMoreIntentsMakesTheShardsIdentifyAgain() async throws {
        var configuration = EmulatorConfiguration()
        configuration.privilegedIntentsAllowed = 1 << 15
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        let host = try TestHost(manualClock: false)
        let connection = try await connect(host, emulator, plugins: "[]")
        let accepted = { emulator.identifies.filter { if case .accepted = $0.outcome { true } else { false } } }
        #expect(accepted().map(\.intents) == [(1 << 9) | (1 << 15)])

        // The greeter declares GUILDS: the shard must identify again to receive guild events.
        try await host.apply(plugins: #"[{"name": "greeter", "library": \#(jsonString(Fixtures.built("libExampleSwiftGreeter.so")))}]"#)
        #expect(await eventually { accepted().count == 2 })
        #expect(accepted().last?.intents == 1 | (1 << 9) | (1 << 15))
        #expect(connection.currentIntents == 1 | (1 << 9) | (1 << 15))
        #expect(await eventually { connection.shardStates[0]?.isReady == true })

        // Stopping it does not cost another identify: intents only grow while connected. (The
        // connection decides while the plugins change, before `apply` returns; a dispatch on the
        // same connection afterwards shows it still serves.)
        try await host.apply(plugins: "[]")
        #expect(connection.currentIntents == 1 | (1 << 9) | (1 << 15))
        emulator.userSendsMessage(channelID: 2001, content: "still here")
        #expect(await eventually { host.events("discord.MESSAGE_CREATE").contains { $0.contains("still here") } })
        #expect(accepted().count == 2)
        #expect(connection.shardStates[0]?.isReady == true)

        await connection.stop()
        await host.shutdown()
        await emulator.shutdown()
    }

    @Test func aSlowPluginIsDeferredForAndItsLateReplyStillArrives() async throws {
        var configuration = EmulatorConfiguration()
        configuration.privilegedIntentsAllowed = 1 << 15
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        // The host clock is manual: the 2.5 s deferral and the plugin's delay run on it.
        let log = CapturedLog()
        let host = try TestHost(logger: log.logger())
        let deferrals = { log.all.filter { $0.contains("acknowledging for it") }.count }
        let routed = { host.events("discord.INTERACTION_CREATE").count }
        let plugins = #"[{"name": "slow", "library": \#(jsonString(try Fixtures.fixture("slow_command")))}]"#
        let connection = try await connect(host, emulator, plugins: plugins)

        // In time: a plain reply, no deferral.
        let fast = emulator.userInvokesCommand(name: "slow", options: #"[{"name":"delay","type":4,"value":0}]"#)
        host.advance(ms: 0)
        #expect(await eventually { emulator.interactionResponses(fast.interactionID).count == 1 })
        host.advance(ms: 3000)
        // The host's deferral timer has had its turn: it found the command answered (a deferral
        // is logged in that turn, before it is sent).
        await host.runtime.scheduler.caughtUp()
        #expect(deferrals() == 0)
        #expect(emulator.interactionResponses(fast.interactionID).map(\.type) == [4])

        // Too slow, ephemeral: the host defers at 2.5 s, the late reply becomes the edit of @original.
        let slow = emulator.userInvokesCommand(name: "slow", options: #"[{"name":"delay","type":4,"value":4000}]"#)
        #expect(await eventually { routed() == 2 }, "its deferral timer runs from here")
        await host.settled("slow")  // and the plugin has armed its own delay
        host.advance(ms: 2500)
        #expect(await eventually { emulator.interactionResponses(slow.interactionID).first?.type == 5 })
        host.advance(ms: 1500)
        #expect(await eventually { emulator.interactionResponses(slow.interactionID).contains { $0.kind == .editOriginal } })
        #expect(emulator.interactionResponses(slow.interactionID).last?.body.contains("done after 4000 ms") == true)

        // Too slow, public: the reply goes out as a visible follow-up and the placeholder is removed.
        let visible = emulator.userInvokesCommand(name: "slow", options: #"[{"name":"delay","type":4,"value":3000},{"name":"public","type":5,"value":true}]"#)
        #expect(await eventually { routed() == 3 }, "its deferral timer runs from here")
        await host.settled("slow")  // and the plugin has armed its own delay
        host.advance(ms: 2500)
        #expect(await eventually { emulator.interactionResponses(visible.interactionID).first?.type == 5 })
        host.advance(ms: 500)
        #expect(await eventually {
            let kinds = emulator.interactionResponses(visible.interactionID).map(\.kind)
            return kinds.contains(.followUp) && kinds.contains(.deleteOriginal)
        })
        #expect(deferrals() == 2)
        #expect(emulator.interactionResponses(fast.interactionID).map(\.type) == [4], "the fast one was never deferred")
        expectRequestsConformToDiscordSpec(emulator)
        await connection.stop()
        await host.shutdown()
        await emulator.shutdown()
    }
}
