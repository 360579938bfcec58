@testable import BotHost
import Foundation
import Testing

/// The runtime driven end to end through real .so files: bus, request/reply, timers, commands,
/// cleanup, frees, storage and live reconfiguration.
@Suite struct PluginRuntimeTests {
    private func probeEntry(_ trace: TraceFile, subscribe: String, origin: String = "", isolated: Bool = false) throws -> String {
        #"{"name": "probe", "library": \#(jsonString(try Fixtures.fixture("probe"))), \#(isolation(isolated)) "config": {"traceFile": \#(jsonString(trace.path)), "subscribe": \#(jsonString(subscribe)), "origin": \#(jsonString(origin))}}"#
    }

    /// The entry's isolation key: the tests marked `isolated` run each plugin in its own process
    /// too, where the plugin must not be able to tell the difference.
    private func isolation(_ isolated: Bool) -> String {
        isolated ? #""isolation": "process","# : ""
    }

    @Test(arguments: [false, true]) func busDeliversInPublishOrderWithWildcards(isolated: Bool) async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: "[\(try probeEntry(trace, subscribe: "orders.*.created,audit.>", isolated: isolated))]")
        for i in 0..<2000 { try host.publish("orders.eu.created", "\(i)") }
        try host.publish("orders.created", "no: * needs one segment")
        try host.publish("orders.eu.west.created", "no: * is one segment only")
        try host.publish("audit.login.ok", "yes")
        try host.publish("audit", "no: > needs at least one more segment")
        #expect(await eventually { trace.lines.last == "msg audit.login.ok yes" })
        let lines = trace.lines
        #expect(lines.count == 2001)
        #expect(Array(lines.prefix(2000)) == (0..<2000).map { "msg orders.eu.created \($0)" })
        await host.shutdown()
    }

    @Test(arguments: [false, true]) func requestReplyAnswersTimesOutAndReportsNoResponder(isolated: Bool) async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: "[\(try probeEntry(trace, subscribe: "none.x", isolated: isolated))]")
        try host.publish("probe.ask", "probe.echo 1000 hello")
        #expect(await eventually { trace.lines.contains("reply probe.echo 0 hello") })

        try host.publish("probe.ask", "nobody.serves.this 1000 x")
        // At once, without the clock moving: on the manual clock the 1000 ms timeout never passes.
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("reply nobody.serves.this 5 ") } }, "\(trace.text)")

        try host.publish("probe.ask", "probe.silent 250 x")
        // The timeout runs on the host clock: nothing happens until it passes.
        await host.settled("probe")
        #expect(host.runtime.broker.pendingCount == 1, "the probe has asked")
        #expect(!trace.text.contains("reply probe.silent"))
        host.advance(ms: 249)
        await host.settled("probe")
        #expect(!trace.text.contains("reply probe.silent"))
        host.advance(ms: 1)
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("reply probe.silent 4 ") } })
        #expect(host.runtime.broker.pendingCount == 0)
        await host.shutdown()
    }

    @Test func cPluginTimersCommandsAndStorage() async throws {
        let host = try TestHost(hostJSON: #"{"owners": ["42"]}"#)
        let trace = TraceFile(in: host.directory)
        let counter = Fixtures.built("libExampleCCounter.so")
        try await host.apply(plugins: """
            [{"name": "counter", "library": \(jsonString(counter)), "config": {"tickMs": 1000, "topic": "counter.tick"}},
             \(try probeEntry(trace, subscribe: "counter.tick", origin: "counter.tick"))]
            """)
        #expect(await host.status("counter")?.state == .running)
        #expect(await eventually { host.events("counter.started").count == 1 })

        // Ticks follow the host clock.
        host.advance(ms: 999)
        await host.settled("counter")
        #expect(host.events("counter.tick").isEmpty)
        host.advance(ms: 1)
        #expect(await eventually { host.events("counter.tick") == [#"{"n":1}"#] })
        // bus_message_info names the publishing plugin (no gateway shard).
        #expect(await eventually { trace.lines.contains("origin counter.tick -1 0 counter") }, "\(trace.text)")
        host.advance(ms: 1000)
        #expect(await eventually { host.events("counter.tick").count == 2 })

        // The bus and request/reply reach it.
        try host.publish("counter.add", "40")
        try host.publish("probe.ask", "counter.get 1000 ")
        #expect(await eventually { trace.lines.contains(#"reply counter.get 0 {"n":42}"#) })

        // So does a slash command, answered ephemerally.
        let responder = RecordingResponder()
        let invocation = try LocalInvocation.parse("/count add:8", definitions: host.runtime.commands.definitions, userID: 42)
        try host.runtime.invokeCommand(invocation, responder: responder)
        #expect(await eventually { responder.responses.count == 1 })
        let reply = try #require(responder.responses.first)
        #expect(reply.kind == .reply)
        #expect(reply.isEphemeral)
        #expect(reply.messageText.contains("50"))

        // Stopping cancels its timers: no tick after the stop (had one fired, its callback would
        // have been queued on the counter's executor before the ping).
        let counterExecutor = try #require(host.executor(of: "counter"))
        await host.manager.stop("counter", reason: "test")
        let ticks = host.events("counter.tick").count
        host.advance(ms: 10_000)
        await host.runtime.scheduler.caughtUp()
        await counterExecutor.caughtUp()
        #expect(host.events("counter.tick").count == ticks)
        #expect(host.runtime.commands.definitions["count"] == nil)
        await host.shutdown()
    }

    @Test func storageSurvivesAHostRestart() async throws {
        let directory = Fixtures.temporaryDirectory("restart")
        let counter = Fixtures.built("libExampleCCounter.so")
        let entry = #"[{"name": "counter", "library": \#(jsonString(counter)), "config": {"tickMs": 3600000}}]"#
        do {
            let host = try TestHost(directory: directory)
            try await host.apply(plugins: entry)
            try host.publish("counter.add", "123")
            #expect(await eventually {
                (try? host.runtime.database.store(for: "counter").get("count")).flatMap { $0.map { String(decoding: $0, as: UTF8.self) } } == "123"
            })
            await host.shutdown()
        }
        let host = try TestHost(directory: directory)
        try await host.apply(plugins: entry)
        let responder = RecordingResponder()
        try host.runtime.invokeCommand(try LocalInvocation.parse("/count", definitions: host.runtime.commands.definitions, userID: 1),
                                       responder: responder)
        #expect(await eventually { responder.responses.count == 1 })
        #expect(responder.responses.first?.messageText.contains("123") == true)
        await host.shutdown()
    }

    @Test func theOperatorRestartsAPluginFromItsEntryAndItKeepsItsStorage() async throws {
        let host = try TestHost()
        let counter = Fixtures.built("libExampleCCounter.so")
        try await host.apply(plugins: #"[{"name": "counter", "library": \#(jsonString(counter)), "config": {"tickMs": 3600000}}]"#)
        try host.publish("counter.add", "7")
        #expect(await eventually {
            (try? host.runtime.database.store(for: "counter").get("count")).flatMap { $0.map { String(decoding: $0, as: UTF8.self) } } == "7"
        })

        #expect(await host.manager.restart("counter") == .restarted)
        // Stopped with the operator's reason, started again, and answering from what it stored.
        #expect(await eventually { host.events("host.plugin.stopped").contains { $0.contains("restarted by the operator") } })
        #expect(await eventually { host.events("host.plugin.started").count == 2 })
        #expect(await host.status("counter")?.state == .running)
        let responder = try host.invoke("/count")
        #expect(await eventually { responder.responses.count == 1 })
        #expect(responder.responses.first?.messageText.contains("7") == true)

        // A name plugins.json does not have (or has disabled) is not started from nowhere.
        #expect(await host.manager.restart("nosuch") == .notConfigured)
        #expect(await host.status("nosuch") == nil)
        await host.shutdown()
    }

    @Test(arguments: [false, true]) func cleanupHooksRunLastFirstAndAHangingHookIsAbandoned(isolated: Bool) async throws {
        let host = try TestHost(hostJSON: #"{"cleanupDeadlineMs": 200}"#)
        let trace = TraceFile(in: host.directory)
        // B hangs until the test creates the release file, so B's marker is provably not yet
        // freed when stop returns, however slow the machine.
        let release = host.directory.appendingPathComponent("release-b").path
        try await host.apply(plugins: """
            [{"name": "hangs", \(isolation(isolated)) "library": \(jsonString(try Fixtures.fixture("hang_cleanup"))),
              "config": {"sleepMs": 60000, "traceFile": \(jsonString(trace.path)), "releaseFile": \(jsonString(release))}}]
            """)
        #expect(await host.status("hangs")?.state == .running)
        await host.manager.stop("hangs", reason: "test")
        // Hooks newest first — C, B (which hangs past the deadline), A — then the stop callback.
        #expect(trace.text.filter { $0.isUppercase } == "CBAS")
        #expect(await eventually { host.events("host.plugin.deadline").count == 1 })
        #expect(host.events("host.plugin.deadline").first?.contains("cleanup hook") == true)
        // C's and A's user_data are freed at once; B's only when B finally returns — never under it.
        #expect(trace.text.filter { $0.isLowercase }.sorted() == ["a", "c"])
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        if isolated {
            // The plugin's process ended with the stop, and B with it: a hook that never returned
            // is never freed (it is freed only if and when it returns).
            await host.shutdown()
            #expect(trace.text.filter { $0.isLowercase }.sorted() == ["a", "c"])
            return
        }
        #expect(await eventually { trace.text.filter { $0.isLowercase }.sorted() == ["a", "b", "c"] })
        await host.shutdown()
    }

    @Test(arguments: [false, true]) func everyUserDataIsFreedExactlyOnce(isolated: Bool) async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: """
            [{"name": "frees", "library": \(jsonString(try Fixtures.fixture("frees"))), \(isolation(isolated)) "config": {"traceFile": \(jsonString(trace.path))}}]
            """)
        #expect(await host.status("frees")?.state == .running)
        // The self-unregistering one-shot (delay 0) fires on the next clock step.
        host.advance(ms: 1)
        #expect(await eventually { trace.text.contains("u") })
        await host.manager.stop("frees", reason: "test")
        let letters = trace.text.filter { $0.isLetter }
        for letter in "trscvhqxu" {
            #expect(letters.filter { $0 == letter }.count == 1, "user_data \(letter) freed \(letters.filter { $0 == letter }.count) times")
        }
        await host.shutdown()
    }

    @Test(arguments: [false, true]) func anOverrunningCallbackIsReportedWithThePluginsName(isolated: Bool) async throws {
        let host = try TestHost(hostJSON: #"{"callbackBudgetMs": 100}"#)
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: """
            [{"name": "overrun", \(isolation(isolated)) "library": \(jsonString(try Fixtures.fixture("overrun")))},
             \(try probeEntry(trace, subscribe: "none.x"))]
            """)
        try host.publish("probe.ask", "overrun.sleep 5000 400")
        // (On a loaded machine the probe may overrun the short budget as well: look for the one
        // that must be there.)
        #expect(await eventually { host.events("host.plugin.overrun").contains { $0.contains(#""plugin":"overrun""#) } },
                "\(host.events("host.plugin.overrun"))")
        #expect(await eventually { trace.lines.contains("reply overrun.sleep 0 done") })
        await host.shutdown()
    }

    @Test func pluginsJSONChangesApplyLive() async throws {
        let directory = Fixtures.temporaryDirectory("live")
        let host = try TestHost(directory: directory)
        let path = directory.appendingPathComponent("plugins.json").path
        let trace = TraceFile(in: directory)
        let counter = Fixtures.built("libExampleCCounter.so"), probe = try Fixtures.fixture("probe")
        func write(probeEnabled: Bool, subscribe: String) throws {
            let text = """
                {"plugins": [
                  {"name": "counter", "library": \(jsonString(counter)), "config": {"tickMs": 3600000}},
                  {"name": "probe", "library": \(jsonString(probe)), "enabled": \(probeEnabled),
                   "config": {"traceFile": \(jsonString(trace.path)), "subscribe": \(jsonString(subscribe))}}
                ]}
                """
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(probeEnabled: true, subscribe: "a.x")
        let watcherLog = CapturedLog()
        let watcher = PluginsFileWatcher(path: path, manager: host.manager, logger: watcherLog.logger(), intervalMs: 20)
        let watching = Task { await watcher.run(initial: nil) }

        let firstStart = await eventually { await host.status("probe")?.state == .running }
        let statuses = await host.manager.statuses()
        #expect(firstStart, "\(statuses)")
        let counterStarted = host.events("host.plugin.started").filter { $0.contains("counter") }.count

        try write(probeEnabled: false, subscribe: "a.x")
        #expect(await eventually { await host.status("probe")?.state == .disabled })

        try write(probeEnabled: true, subscribe: "b.x")
        #expect(await eventually { await host.status("probe")?.state == .running })
        try host.publish("b.x", "new-config")
        #expect(await eventually { trace.lines.contains("msg b.x new-config") })

        // A broken file changes nothing; the plugins keep running.
        try "{ \"plugins\": [ oops".write(toFile: path, atomically: true, encoding: .utf8)
        // The watcher has read it and turned it down before the plugins are looked at.
        #expect(await eventually { watcherLog.all.contains { $0.contains("ignoring this version") } }, "\(watcherLog.all)")
        #expect(await host.status("probe")?.state == .running)
        #expect(await host.status("counter")?.state == .running)
        // The counter was never restarted by the probe's changes.
        #expect(host.events("host.plugin.started").filter { $0.contains("counter") }.count == counterStarted)
        watching.cancel()
        await host.shutdown()
    }
}
