@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// REST needs only the token, not the gateway: a plugin may call Discord from its `start`. The
/// gateway's readiness is news on the bus (`host.gateway.ready` / `host.gateway.lost`) for the
/// plugins that need it.
@Suite struct DiscordReadinessTests {
    /// A plugins.json with the probe plugin, which calls `GET /users/@me` from its start and says
    /// whether it can see DISCORD_TOKEN in its environment.
    private func probeSetup() throws -> (config: String, trace: TraceFile) {
        let directory = Fixtures.temporaryDirectory("readiness")
        let trace = TraceFile(in: directory)
        let config = directory.appendingPathComponent("plugins.json").path
        try """
            {
              "host": {"owners": ["3000"]},
              "plugins": [
                {"name": "probe", "library": \(jsonString(try Fixtures.fixture("probe"))),
                 "config": {"traceFile": \(jsonString(trace.path)), "startRequest": "/users/@me", "envCheck": "DISCORD_TOKEN"}}
              ]
            }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, trace)
    }

    @Test func aPluginCallsDiscordFromItsStartInTheRealHost() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let (config, trace) = try probeSetup()
        let host = try HostProcess(config: config, emulator: emulator)
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("startrequest") } }, "\(host.log.text)")
        #expect(trace.lines.contains("startrequest GET 0 200"), "the call from start succeeded: \(trace.text)")
        #expect(emulator.requests.contains { $0.path.hasSuffix("/users/@me") && $0.status == 200 })
        // The token was taken out of the environment before any plugin loaded: getenv finds
        // nothing, and neither does anyone reading the process's environment block.
        #expect(trace.lines.contains("env DISCORD_TOKEN unset"), "\(trace.text)")
        let environ = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(host.process.processIdentifier)/environ"))
        #expect(!environ.isEmpty)
        #expect(environ.range(of: Data(EmulatorConfiguration().token.utf8)) == nil, "the token is in /proc/PID/environ")
        #expect(host.stop() == 0)
        await emulator.shutdown()
    }

    @Test func withoutATokenTheRefusalSaysExactlyThat() async throws {
        let (config, trace) = try probeSetup()
        let host = try HostProcess(config: config, emulator: nil)
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("startrequest") } }, "\(host.log.text)")
        let line = try #require(trace.lines.first { $0.hasPrefix("startrequest-refused GET") })
        #expect(line.contains("no bot token is configured (DISCORD_TOKEN or --token-file)"), "\(line)")
        #expect(host.stop() == 0)
    }

    @Test func shardReadinessAndLossArePublishedOnTheBus() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let host = try TestHost(manualClock: false)
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [])
        let connection = try DiscordConnection(settings: settings, runtime: host.runtime)
        try await connection.start(intents: 1)
        #expect(await eventually { host.events("host.gateway.ready").count == 1 })
        #expect(host.events("host.gateway.ready") == [#"{"resumed":false,"shard":0,"shardCount":1}"#])
        #expect(host.events("host.gateway.lost").isEmpty)

        emulator.inject(.dropConnections)
        #expect(await eventually { host.events("host.gateway.ready").count == 2 })
        #expect(host.events("host.gateway.ready").last == #"{"resumed":true,"shard":0,"shardCount":1}"#)
        let lost = try #require(host.events("host.gateway.lost").first)
        #expect(lost.contains(#""shard":0"#) && lost.contains("reconnecting"), "\(lost)")
        #expect(host.events("host.gateway.lost").count == 1)

        await connection.stop()
        #expect(await eventually { host.events("host.gateway.lost").count == 2 })
        #expect(host.events("host.gateway.lost").last?.contains("stopped") == true)
        await host.shutdown()
        await emulator.shutdown()
    }
}
