@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// The plugin boundary as a security boundary: a plugin cannot forge what Discord or the host say,
/// cannot forge the host's log lines or drive the operator's terminal, and one plugin blocking in a
/// callback does not stall the others. Each test puts a hostile (or stuck) plugin beside an
/// honest one.
@Suite struct PluginBoundaryTests {
    /// Probe plugins under the given names (each its own library, built with that name), all
    /// subscribed to `subscribe`.
    private func probes(_ host: TestHost, _ directory: URL, names: [String], subscribe: String = "") async throws -> [String: TraceFile] {
        var traces: [String: TraceFile] = [:]
        var entries: [String] = []
        for name in names {
            let trace = TraceFile(in: directory, "\(name).txt")
            traces[name] = trace
            let library = try Fixtures.probe(named: name)
            entries.append(#"{"name": "\#(name)", "library": \#(jsonString(library)), "config": {"traceFile": \#(jsonString(trace.path)), "subscribe": \#(jsonString(subscribe))}}"#)
        }
        let statuses = try await host.apply(plugins: "[" + entries.joined(separator: ",") + "]")
        #expect(statuses.allSatisfy { $0.state == .running }, "\(statuses)")
        return traces
    }

    @Test func aPluginCannotPublishOrServeAsDiscordOrTheHost() async throws {
        let host = try TestHost(manualClock: false)
        let traces = try await probes(host, host.directory, names: ["hostile", "honest"], subscribe: "discord.>,host.>,fine.>")
        let hostile = try #require(traces["hostile"]), honest = try #require(traces["honest"])
        for topic in ["discord.MESSAGE_CREATE", "discord.INTERACTION_CREATE", "host.plugin.stopped", "host.gateway.ready"] {
            try host.publish("probe.publish", "\(topic) {\"forged\":true}")
        }
        // A topic of its own still works, and comes after the refusals on the same executor.
        try host.publish("probe.publish", #"fine.topic {"n":1}"#)
        #expect(await eventually { honest.lines.contains { $0.hasPrefix("msg fine.topic") } })
        #expect(await eventually { hostile.lines.filter { $0.hasPrefix("published ") }.count == 5 })
        let refusals = hostile.lines.filter { $0.hasPrefix("published discord.") || $0.hasPrefix("published host.") }
        #expect(refusals.count == 4)
        #expect(refusals.allSatisfy { $0.contains(" 13 ") && $0.contains("reserved for the host") }, "\(refusals)")
        #expect(!honest.lines.contains { $0.contains("forged") }, "the honest plugin received a forgery: \(honest.text)")
        await host.shutdown()
    }

    @Test func pluginLogTextCannotForgeHostLinesOrEscapeSequences() async throws {
        let log = CapturedLog()
        let host = try TestHost(manualClock: false, logger: log.logger())
        let traces = try await probes(host, host.directory, names: ["hostile"])
        try host.publish("probe.log", "all fine\nerror bothost: plugin ratelimit crashed (signal 11)\u{1B}[2J\r")
        try host.publish("probe.publish", "after.log x")  // a barrier through the same executor
        #expect(await eventually { traces["hostile"]?.lines.contains { $0.hasPrefix("published after.log") } == true })
        let line = try #require(log.all.first { $0.contains("all fine") })
        #expect(line.contains(#"all fine\nerror bothost: plugin ratelimit crashed (signal 11)\u{1B}[2J\r"#), "\(line)")
        #expect(!log.all.contains { $0.hasPrefix("error bothost") || $0.contains("\u{1B}") || $0.contains("\r") })
        await host.shutdown()
    }

    @Test func discordRequestRefusesTheRoutesTheHostOwns() async throws {
        let transport = RESTClientTests.ScriptedTransport([RESTClientTests.response(200, "[]")])
        let (host, trace, client) = try await RESTPluginCallTests.host(transport)
        let token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiYw"
        try host.publish("dr.go", #"POST /interactions/123/\#(token)/callback {"type":4,"data":{"content":"allowed: true"}}"#)
        try host.publish("dr.go", #"PATCH /webhooks/999/\#(token)/messages/@original {"content":"x"}"#)
        try host.publish("dr.go", #"POST /webhooks/999/\#(token) {"content":"x"}"#)
        try host.publish("dr.go", "PUT /applications/1000/commands []")
        try host.publish("dr.go", "DELETE /applications/1000/guilds/2000/commands/5")
        // Reading the commands is harmless, and comes after the refusals on the same executor.
        try host.publish("dr.go", "GET /applications/1000/commands")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("answer 0 200") } }, "\(trace.text)")
        let refused = trace.lines.filter { $0.hasPrefix("refused 13 ") }
        #expect(refused.count == 5, "\(trace.text)")
        #expect(refused.filter { $0.contains("interaction") }.count == 3)
        #expect(refused.filter { $0.contains("slash commands are synced by the host") }.count == 2)
        #expect(transport.requests.count == 1 && transport.requests.first?.url.hasSuffix("/applications/1000/commands") == true)
        await RESTPluginCallTests.finish(host, client)
    }

    @Test func otherPluginsSeeAnInteractionButNotItsToken() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let host = try TestHost(manualClock: false)
        let trace = TraceFile(in: host.directory)
        let plugins = #"[{"name": "counter", "library": \#(jsonString(Fixtures.built("libExampleCCounter.so"))), "config": {"tickMs": 3600000}},"#
            + #"{"name": "probe", "library": \#(jsonString(try Fixtures.fixture("probe"))), "config": {"traceFile": \#(jsonString(trace.path)), "subscribe": "discord.INTERACTION_CREATE"}}]"#
        try await host.apply(plugins: plugins)
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [2000])
        let connection = try DiscordConnection(settings: settings, runtime: host.runtime)
        try await connection.start(intents: await host.manager.gatewayIntents)
        #expect(await eventually { emulator.commandOverwriteCount == 1 })
        let (interactionID, token) = emulator.userInvokesCommand(name: "count", options: #"[{"name":"add","type":4,"value":2}]"#)
        #expect(await eventually { !emulator.interactionResponses(interactionID).isEmpty }, "the owner still answers")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("msg discord.INTERACTION_CREATE") } })
        let seen = try #require(trace.lines.first { $0.hasPrefix("msg discord.INTERACTION_CREATE") })
        #expect(seen.contains("\(interactionID)"), "the interaction itself is visible: \(seen)")
        #expect(!seen.contains(token) && !seen.contains(#""token""#), "the token is not: \(seen)")
        await connection.stop()
        await host.shutdown()
        await emulator.shutdown()
    }

    /// What a plugin's command_register is checked against: each of these is refused at
    /// registration with the problem named, so it can never reach (and fail) the shared bulk sync.
    @Test(arguments: [
        (#"{"name":"usage","description":"a","name":"x"}"#, "found \"name\" again"),
        (#"{"name":"Usage","description":"a"}"#, "lowercase"),
        (#"{"name":"usage"}"#, "\"description\" is missing"),
        (#"{"name":"usage","description":""}"#, "1–100 characters"),
        (#"{"name":"usage","description":"a","type":9}"#, "not a command type"),
        (#"{"name":"usage","description":"a","options":{"a":1}}"#, "must be an array"),
        (#"{"name":"usage","description":"a","options":[{"type":3,"name":"x","description":"d"},{"type":3,"name":"x","description":"d"}]}"#, "used twice"),
        (#"{"name":"usage","description":"a","options":[{"type":3,"name":"x","description":"d"},{"type":3,"name":"y","description":"d","required":true}]}"#, "required options first"),
        (#"{"name":"usage","description":"a","options":[{"type":1,"name":"s","description":"d"},{"type":3,"name":"y","description":"d"}]}"#, "mixes subcommands"),
        (#"{"name":"usage","description":"a","options":[{"type":1,"name":"s","description":"d","options":[{"type":1,"name":"t","description":"d"}]}]}"#, "deeper than Discord allows"),
        (#"{"name":"usage","description":"a","options":[{"type":4,"name":"n","description":"d","choices":[{"name":"one","value":"1"}]}]}"#, "whole number"),
        (#"{"name":"usage","description":"a","options":[{"type":3,"name":"n","description":"d","autocomplete":true,"choices":[{"name":"one","value":"1"}]}]}"#, "both \"choices\" and \"autocomplete\""),
        (#"{"name":"usage","description":"a","default_member_permissions":8}"#, "string of digits"),
        (#"{"name":"Inspect","type":2,"description":"no"}"#, "empty \"description\""),
    ])
    func commandDefinitionsDiscordWouldRefuseAreRefusedAtRegistration(definition: String, problem: String) {
        do {
            _ = try validateCommandDefinition(Array(definition.utf8))
            Issue.record("accepted \(definition)")
        } catch {
            #expect(error.status == Status.invalidArgument)
            #expect(error.detail.contains(problem), "\(error.detail)")
        }
    }

    @Test func definitionsDiscordAcceptsPass() throws {
        for definition in [
            #"{"name":"usage","description":"Your usage","options":[{"type":6,"name":"who","description":"A user","required":true},{"type":3,"name":"period","description":"When","choices":[{"name":"Today","value":"today"}]}]}"#,
            #"{"name":"voice","description":"Voice","options":[{"type":1,"name":"join","description":"Join"},{"type":2,"name":"admin","description":"Admin","options":[{"type":1,"name":"kick","description":"Kick","options":[{"type":6,"name":"user","description":"Who"}]}]}]}"#,
            #"{"name":"Inspect user","type":2,"default_member_permissions":"8","dm_permission":false}"#,
            #"{"name":"größe","description":"Umlauts are letters","name_localizations":{"de":"größe"}}"#,
        ] {
            #expect(throws: Never.self) { _ = try validateCommandDefinition(Array(definition.utf8)) }
        }
    }

    @Test func controlCharactersAreWrittenVisibly() {
        #expect(ControlCharacters.escaped("plain text, ünïcode ✓") == "plain text, ünïcode ✓")
        #expect(ControlCharacters.escaped("a\nb\rc\td") == #"a\nb\rc\td"#)
        #expect(ControlCharacters.escaped("\u{1B}[31mred\u{7F}\u{9B}\u{2028}") == #"\u{1B}[31mred\u{7F}\u{9B}\u{2028}"#)
        #expect(ControlCharacters.escaped("two\nlines\u{1B}", keepingNewlines: true) == "two\nlines\\u{1B}")
    }
}
