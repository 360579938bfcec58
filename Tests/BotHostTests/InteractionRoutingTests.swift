@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// Components routed by custom_id prefix and autocomplete by command name, through the real
/// gateway and REST against the local Discord: the Swift example plugin's button and autocomplete,
/// the C probe's components, the host's own answers when nobody (or nobody in time) does.
@Suite struct InteractionRoutingTests {
    private func connect(_ host: TestHost, _ emulator: DiscordEmulator, plugins: String) async throws -> DiscordConnection {
        try await host.apply(plugins: plugins)
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [2000])
        let connection = try DiscordConnection(settings: settings, runtime: host.runtime)
        try await connection.start(intents: await host.manager.gatewayIntents)
        return connection
    }

    /// One parse of INTERACTION_CREATE feeds the router's typed fields and the bus's copy, which
    /// is the same object, in the same order, without its token.
    @Test func anInteractionIsDecodedOnceForTheRouterAndTheBus() throws {
        let d = #"{"id":"11","application_id":"1","type":2,"token":"secret","data":{"id":"5","name":"count","type":1},"guild_id":"2000","channel":{"id":"3"},"member":{"user":{"id":"7"},"permissions":"8"}}"#
        let object = try #require(try JSONValue.parse(d).objectValue)
        let parsed = try #require(ParsedInteraction(object))
        #expect(parsed.id == 11 && parsed.token == "secret" && parsed.type == 2 && parsed.commandName == "count")
        #expect(parsed.guildID == 2000 && parsed.channelID == 3 && parsed.userID == 7 && parsed.permissions == 8)
        #expect(parsed.customID == nil)
        #expect(String(decoding: DiscordConnection.withoutToken(object), as: UTF8.self)
            == #"{"id":"11","application_id":"1","type":2,"data":{"id":"5","name":"count","type":1},"guild_id":"2000","channel":{"id":"3"},"member":{"user":{"id":"7"},"permissions":"8"}}"#)
        #expect(ParsedInteraction(Array(#"{"id":"11","type":2}"#.utf8)) == nil, "no token")
        #expect(ParsedInteraction(Array(#"[1]"#.utf8)) == nil)
    }

    @Test func buttonsAndAutocompleteReachTheirPluginAndUnownedControlsAreAnswered() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let host = try TestHost(manualClock: false)
        let trace = TraceFile(in: host.directory)
        let plugins = """
            [{"name": "greeter", "library": \(jsonString(Fixtures.built("libExampleSwiftGreeter.so")))},
             {"name": "probe", "library": \(jsonString(try Fixtures.fixture("probe"))),
              "config": {"traceFile": \(jsonString(trace.path)), "components": "probe:"}}]
            """
        let connection = try await connect(host, emulator, plugins: plugins)
        #expect(await eventually { emulator.commands(guildID: 2000).contains { $0.name == "greet" } })
        #expect(host.runtime.commands.componentOwners == ["greeter:wave": "greeter", "probe:": "probe"])

        // /greet posts a public greeting with a button; the click updates that message in place.
        let greet = emulator.userInvokesCommand(name: "greet", options: #"[{"name":"name","type":3,"value":"Ada"}]"#)
        #expect(await eventually { emulator.interactionResponses(greet.interactionID).first?.type == 4 })
        #expect(emulator.interactionResponses(greet.interactionID).first?.body.contains("greeter:wave") == true)
        let greeting = try #require(emulator.messages(in: 2001).last { $0.content.contains("Hello, Ada!") })
        let click = try #require(emulator.userClicksButton(messageID: greeting.id, customID: "greeter:wave", userID: 3000))
        #expect(await eventually { emulator.interactionResponses(click.interactionID).first?.type == 7 })
        #expect(emulator.interactionResponses(click.interactionID).first?.body.contains("<@3000> waved back.") == true)
        #expect(await eventually { emulator.messages(in: 2001).first { $0.id == greeting.id }?.content.contains("waved back") == true })

        // Autocomplete is routed by command name to the command's owner: it offers names greeted before.
        let typing = emulator.userTypesOption(command: "greet", options: #"[{"name":"name","type":3,"value":"A","focused":true}]"#)
        #expect(await eventually { emulator.interactionResponses(typing.interactionID).first?.type == 8 })
        #expect(emulator.interactionResponses(typing.interactionID).first?.body.contains(#""name":"Ada""#) == true)

        // Another plugin's prefix reaches that plugin, with the kind and the whole custom_id.
        let probeClick = try #require(emulator.userClicksButton(messageID: greeting.id, customID: "probe:vote:7"))
        #expect(await eventually { trace.lines.contains("component probe:vote:7 component") }, "\(trace.text)")
        #expect(await eventually { emulator.interactionResponses(probeClick.interactionID).first?.type == 6 })

        // A custom_id nobody owns gets an ephemeral answer instead of Discord's "interaction failed".
        let stray = try #require(emulator.userClicksButton(messageID: greeting.id, customID: "nobody:1"))
        #expect(await eventually { emulator.interactionResponses(stray.interactionID).first?.type == 4 })
        #expect(emulator.interactionResponses(stray.interactionID).first?.body.contains("not handled") == true)

        expectRequestsConformToDiscordSpec(emulator)
        await connection.stop()
        await host.shutdown()
        await emulator.shutdown()
    }

    @Test func slowComponentsAndAutocompletesAreAcknowledgedByTheHost() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let host = try TestHost()  // manual clock: the 2.5 s acknowledgement runs on it
        let trace = TraceFile(in: host.directory)
        let plugins = #"[{"name": "probe", "library": \#(jsonString(try Fixtures.fixture("probe"))), "config": {"traceFile": \#(jsonString(trace.path)), "components": "probe:"}}]"#
        let connection = try await connect(host, emulator, plugins: plugins)
        let anchor = emulator.userSendsMessage(channelID: 2001, content: "a message with controls")

        let click = try #require(emulator.userClicksButton(messageID: anchor, customID: "probe:x:silent"))
        #expect(await eventually { trace.lines.contains("component probe:x:silent component") })
        await host.settled("probe")
        #expect(emulator.interactionResponses(click.interactionID).isEmpty)
        host.advance(ms: 2500)
        // A deferred update: the message stays as it is, no "thinking" placeholder. It is the
        // first response of all (the one that would show anything sent before it).
        #expect(await eventually { emulator.interactionResponses(click.interactionID).first?.type == 6 })
        host.advance(ms: 15_000)
        #expect(await eventually { emulator.interactionResponses(click.interactionID).contains { $0.kind == .followUp } })
        #expect(emulator.interactionResponses(click.interactionID).count == 2)
        expectRequestsConformToDiscordSpec(emulator)

        await connection.stop()
        await host.shutdown()
        await emulator.shutdown()
    }

    @Test func aPrefixThatOverlapsAnotherPluginsIsRefusedNamingTheOwner() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        let plugins = """
            [{"name": "greeter", "library": \(jsonString(Fixtures.built("libExampleSwiftGreeter.so")))},
             {"name": "probe", "library": \(jsonString(try Fixtures.fixture("probe"))),
              "config": {"traceFile": \(jsonString(trace.path)), "components": "greeter:"}}]
            """
        try await host.apply(plugins: plugins)
        #expect(await host.status("greeter")?.state == .running)
        guard case .refused(let refusal)? = await host.status("probe")?.state else {
            Issue.record("an overlapping prefix was accepted"); return
        }
        #expect(refusal.cause.contains("overlaps \"greeter:wave\" owned by plugin greeter"), "\(refusal.cause)")
        await host.shutdown()
    }
}
