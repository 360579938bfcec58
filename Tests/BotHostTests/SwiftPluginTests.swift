@testable import BotHost
import Foundation
import Testing

/// The Swift example plugin, over PluginKit, loaded as a real .so.
@Suite struct SwiftPluginTests {
    private func entries(_ trace: TraceFile, greeterConfig: String) throws -> String {
        """
        [{"name": "greeter", "library": \(jsonString(Fixtures.built("libExampleSwiftGreeter.so"))), "config": \(greeterConfig)},
         {"name": "probe", "library": \(jsonString(try Fixtures.fixture("probe"))), "config": {"traceFile": \(jsonString(trace.path)), "subscribe": "none.x"}}]
        """
    }

    @Test func commandsStorageBusAndTimersWorkThroughPluginKit() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: try entries(trace, greeterConfig: #"{"greeting": "Ahoy", "announceEverySeconds": 2}"#))
        #expect(await host.status("greeter")?.state == .running)

        let responder = RecordingResponder()
        for line in ["/greet name:Ada", "/greet"] {
            let invocation = try LocalInvocation.parse(line, definitions: host.runtime.commands.definitions, userID: 77)
            try host.runtime.invokeCommand(invocation, responder: responder)
        }
        #expect(await eventually { responder.responses.count == 2 })
        let texts = Set(responder.responses.map(\.messageText))
        #expect(texts.contains { $0.contains("Ahoy, Ada!") })
        #expect(texts.contains { $0.contains("Ahoy, <@77>!") })
        // Public, so that others can press its "Wave back" button (a custom_id the plugin owns).
        #expect(responder.responses.allSatisfy { !$0.isEphemeral && $0.messageText.contains("greeter:wave") })

        // An async bus service in Swift, answered through the actor's executor.
        try host.publish("probe.ask", "greeter.count 2000 {}")
        #expect(await eventually { trace.lines.contains(#"reply greeter.count 0 {"count":2}"#) }, "\(trace.text)")

        // Timers follow the host clock.
        host.advance(ms: 2000)
        #expect(await eventually { host.events("greeter.tick").count == 1 })
        #expect(host.events("greeter.tick").first == #"{"n":1}"#)
        await host.shutdown()
    }

    @Test func aSwiftPluginsInitRefusalReachesTheOperator() async throws {
        let host = try TestHost()
        let statuses = try await host.apply(plugins: """
            [{"name": "greeter", "library": \(jsonString(Fixtures.built("libExampleSwiftGreeter.so"))), "config": {"greeting": ""}}]
            """)
        guard case .refused(let refusal)? = statuses.first?.state else { Issue.record("empty greeting accepted"); return }
        #expect(refusal.kind == .initFailed)
        #expect(refusal.cause.contains("greeting"))
        await host.shutdown()
    }

    @Test func aConfigChangeRestartsItWithTheNewConfig() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        let greeter = Fixtures.built("libExampleSwiftGreeter.so"), probe = try Fixtures.fixture("probe")
        func apply(_ greeting: String) async throws {
            try await host.apply(plugins: """
                [{"name": "greeter", "library": \(jsonString(greeter)), "config": {"greeting": \(jsonString(greeting))}},
                 {"name": "probe", "library": \(jsonString(probe)), "config": {"traceFile": \(jsonString(trace.path)), "subscribe": "none.x"}}]
                """)
        }
        try await apply("Hello")
        try await apply("Salut")
        #expect(await host.status("greeter")?.state == .running)
        let responder = RecordingResponder()
        try host.runtime.invokeCommand(try LocalInvocation.parse("/greet name:Bo", definitions: host.runtime.commands.definitions, userID: 1),
                                       responder: responder)
        #expect(await eventually { responder.responses.first?.messageText.contains("Salut, Bo!") == true })
        // The probe was not touched by the greeter's restart.
        #expect(host.events("host.plugin.started").filter { $0.contains("probe") }.count == 1)
        await host.shutdown()
    }
}
