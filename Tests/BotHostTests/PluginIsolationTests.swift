@testable import BotHost
import Foundation
import Synchronization
import Testing

/// Plugins in their own process (`"isolation": "process"`): the same .so behind the same ABI, a
/// crash that takes only the plugin down, a supervisor that restarts it, and limits only a
/// process of its own allows.
@Suite struct PluginIsolationTests {
    private func probeEntry(_ trace: TraceFile, subscribe: String, origin: String = "", isolated: Bool = true) throws -> String {
        #"{"name": "probe", "library": \#(jsonString(try Fixtures.fixture("probe"))), "isolation": "\#(isolated ? "process" : "in-process")", "config": {"traceFile": \#(jsonString(trace.path)), "subscribe": \#(jsonString(subscribe)), "origin": \#(jsonString(origin))}}"#
    }

    @Test func anIsolatedPluginGetsTheBusRequestsAndOriginAsInProcess() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        let statuses = try await host.apply(plugins: "[\(try probeEntry(trace, subscribe: "orders.*.created", origin: "orders.>"))]")
        #expect(statuses.first?.state == .running, "\(statuses)")
        for i in 0..<2000 { try host.publish("orders.eu.created", "\(i)") }
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("msg ") }.count == 2000 }, "\(trace.lines.suffix(3))")
        #expect(trace.lines.filter { $0.hasPrefix("msg ") } == (0..<2000).map { "msg orders.eu.created \($0)" })
        #expect(trace.lines.contains("origin orders.eu.created -1 0 "), "\(trace.lines.prefix(4))")
        try host.publish("probe.ask", "probe.echo 1000 hello")
        #expect(await eventually { trace.lines.contains("reply probe.echo 0 hello") }, "\(trace.text.suffix(300))")
        await host.shutdown()
    }

    private func crasherEntry(crash: String, config: String = "", isolation: String = #""isolation": "process""#) throws -> String {
        let extra = config.isEmpty ? "" : ", " + config
        return #"{"name": "crasher", "library": \#(jsonString(try Fixtures.fixture("crasher"))), \#(isolation), "config": {"crash": "\#(crash)"\#(extra)}}"#
    }

    /// The text of a recorded reply.
    private func content(_ responder: RecordingResponder) -> String? {
        guard let response = responder.responses.first, let value = try? JSONValue.parse(response.messageJSON) else { return nil }
        return value["content"]?.stringValue
    }

    /// The plugin's answer to a command; nil while the command is not there (it is restarting).
    private func answer(_ host: TestHost, _ line: String) async throws -> String? {
        guard let responder = try? host.invoke(line) else { return nil }
        return await eventuallyValue { content(responder) }
    }

    private func isRunning(_ host: TestHost, _ name: String) async -> Bool {
        await host.status(name)?.state == .running
    }

    /// Publishes numbered events to the in-process probe beside the crasher.
    private final class Flood: @unchecked Sendable {
        private let published = Atomic<Int>(0)
        var sent: Int { published.load(ordering: .acquiring) }
        /// From one task at a time.
        func send(_ host: TestHost, _ count: Int) throws {
            for _ in 0..<count {
                try host.publish("flood.x", "\(sent)")
                published.add(1, ordering: .releasing)
            }
        }
        func expected() -> [String] { (0..<sent).map { "msg flood.x \($0)" } }
    }

    /// Plugins beside the one that fails, in the host's process: a counter that answers /count and
    /// a probe that records every flood.x event. `check` asks both for a sign of life.
    private final class Bystanders: @unchecked Sendable {
        let trace: TraceFile
        let flood = Flood()
        /// Their plugins.json entries, the same text every time (a changed library path would restart them).
        private let text: String

        init(_ host: TestHost) throws {
            trace = TraceFile(in: host.directory, "bystander.txt")
            text = """
                {"name": "counter", "library": \(jsonString(Fixtures.built("libExampleCCounter.so"))), "config": {"tickMs": 3600000}},
                {"name": "probe", "library": \(jsonString(try Fixtures.fixture("probe"))), "config": {"traceFile": \(jsonString(trace.path)), "subscribe": "flood.>"}}
                """
        }

        func entries() -> String { text }

        /// The counter answers a command, and a hundred more events go out.
        func check(_ host: TestHost) async throws -> Bool {
            try flood.send(host, 100)
            let responder = try host.invoke("/count add:1")
            return await eventually { responder.responses.first.flatMap { try? JSONValue.parse($0.messageJSON)["content"]?.stringValue }?.hasPrefix("Count: ") == true }
        }

        /// Every event reached the probe, in order.
        func lostNothing() async -> Bool {
            await eventually { trace.lines.count == flood.sent } && trace.lines == flood.expected()
        }
    }

    @Test func aSegfaultInACommandHandlerTakesOnlyThePluginDownAndItComesBackWithItsStorage() async throws {
        let host = try TestHost()
        let bystanders = try Bystanders(host)
        let hold = host.directory.appendingPathComponent("let-it-start").path
        try await host.apply(plugins: """
            [\(try crasherEntry(crash: "command", config: #""holdFile": \#(jsonString(hold))"#)), \(bystanders.entries())]
            """)
        for _ in 0..<3 { try host.publish("crasher.count", "") }
        #expect(try await eventually { try await answer(host, "/crasher") == "alive 3" })
        let pid = try #require(await host.status("crasher")?.processID)
        #expect(try await bystanders.check(host))

        _ = try host.invoke("/crasher action:segv")
        #expect(await eventually { !host.events("host.plugin.crashed").isEmpty })
        let crash = try #require(host.events("host.plugin.crashed").first)
        #expect(crash.contains("SIGSEGV") && crash.contains(#""restartInMs":0"#), "\(crash)")
        #expect(try await bystanders.check(host))

        // It restarts at once, and its init waits for the file: meanwhile its command is answered
        // for it, and the status says why.
        #expect(try await eventually {
            if case .restarting(let cause, 1) = await host.status("crasher")?.state { return cause.contains("SIGSEGV") }
            return false
        })
        #expect(throws: CommandDispatchError.pluginRestarting("crasher")) { try host.invoke("/crasher") }
        #expect(host.runtime.commands.definitions["crasher"] != nil, "Discord keeps the command while it restarts")
        #expect(try await bystanders.check(host))
        FileManager.default.createFile(atPath: hold, contents: nil)

        #expect(await eventually { await isRunning(host, "crasher") })
        #expect(await host.status("crasher")?.processID != pid, "a fresh process")
        #expect(try await answer(host, "/crasher") == "alive 3", "storage survives the crash")
        #expect(try await bystanders.check(host))
        #expect(await bystanders.lostNothing(), "the in-process plugin beside it lost no event")
        await host.shutdown()
    }

    @Test func aPluginThatAbortsInInitIsRestartedFiveTimesThenStaysStoppedAndSaysWhy() async throws {
        let host = try TestHost()
        let bystanders = try Bystanders(host)
        let plugins = """
            [\(try crasherEntry(crash: "init", isolation: #""isolation": "process", "restart": {"maxBackoffMs": 20}"#)), \(bystanders.entries())]
            """
        try await host.apply(plugins: plugins)
        var bystandersAnswered = true
        #expect(try await eventually {
            if !(try await bystanders.check(host)) { bystandersAnswered = false }
            if case .crashed = await host.status("crasher")?.state { return true }
            return false
        })
        #expect(bystandersAnswered, "the plugins beside it answered throughout")
        guard case .crashed(let reason) = await host.status("crasher")?.state else { return }
        #expect(reason.contains("crashed 5 times") && reason.contains("SIGABRT") && reason.contains("bothost plugins reload crasher"), "\(reason)")
        // The events reach the test's tap on its own thread: wait for the fifth.
        #expect(await eventually { host.events("host.plugin.crashed").count == 5 })
        let crashes = host.events("host.plugin.crashed")
        // The first four say when it restarts; the fifth has no restart to announce.
        #expect(crashes.prefix(4).allSatisfy { $0.contains(#""restartInMs":"#) } && crashes.last?.contains("restartInMs") == false, "\(crashes)")
        // It stays stopped: applying the same file again does not start it.
        try await host.apply(plugins: plugins)
        #expect(try await bystanders.check(host))
        #expect(await bystanders.lostNothing())
        #expect(host.events("host.plugin.crashed").count == 5)
        if case .crashed = await host.status("crasher")?.state {} else { Issue.record("it started again") }
        await host.shutdown()
    }

    @Test func aPluginThatLeaksToItsMemoryLimitDiesAloneAndComesBack() async throws {
        let host = try TestHost()
        let bystanders = try Bystanders(host)
        try await host.apply(plugins: "[\(try crasherEntry(crash: "leak", isolation: #""isolation": "process", "limits": {"memoryMB": 256}"#)), \(bystanders.entries())]")
        try host.publish("crasher.count", "")
        #expect(try await eventually { try await answer(host, "/crasher") == "alive 1" })
        try host.publish("crasher.leak", "")
        var bystandersAnswered = true
        #expect(try await eventually {
            if !(try await bystanders.check(host)) { bystandersAnswered = false }
            return !host.events("host.plugin.crashed").isEmpty
        })
        #expect(bystandersAnswered, "the plugins beside it answered throughout")
        #expect(await eventually { await isRunning(host, "crasher") })
        #expect(try await eventually { try await answer(host, "/crasher") == "alive 1" })
        #expect(try await bystanders.check(host))
        #expect(await bystanders.lostNothing())
        await host.shutdown()
    }

    @Test func aCallbackThatSpinsForeverGetsItsProcessKilledAndRestarted() async throws {
        let host = try TestHost()
        let bystanders = try Bystanders(host)
        try await host.apply(plugins: """
            [\(try crasherEntry(crash: "spin", isolation: #""isolation": "process", "limits": {"killAfterMs": 300}"#)), \(bystanders.entries())]
            """)
        try host.publish("crasher.count", "")
        #expect(try await eventually { try await answer(host, "/crasher") == "alive 1" })
        try host.publish("crasher.spin", "")
        var bystandersAnswered = true
        #expect(try await eventually {
            if !(try await bystanders.check(host)) { bystandersAnswered = false }
            return !host.events("host.plugin.crashed").isEmpty
        })
        #expect(bystandersAnswered, "the plugins beside it answered throughout")
        #expect(host.events("host.plugin.crashed").first?.contains("killAfterMs") == true, "\(host.events("host.plugin.crashed"))")
        #expect(try await eventually { try await answer(host, "/crasher") == "alive 1" })
        #expect(try await bystanders.check(host))
        #expect(await bystanders.lostNothing())
        await host.shutdown()
    }

    @Test func aPluginThatExitsDuringStopIsStoppedNotRestarted() async throws {
        let log = CapturedLog()
        let host = try TestHost(logger: log.logger())
        let bystanders = try Bystanders(host)
        try await host.apply(plugins: "[\(try crasherEntry(crash: "exit-in-stop")), \(bystanders.entries())]")
        try host.publish("crasher.count", "")
        #expect(try await eventually { try await answer(host, "/crasher") == "alive 1" })
        #expect(try await bystanders.check(host))
        let disabled = try await host.apply(plugins: "[\(try crasherEntry(crash: "exit-in-stop", config: "").replacingOccurrences(of: #""name": "crasher","#, with: #""name": "crasher", "enabled": false,"#)), \(bystanders.entries())]")
        #expect(disabled.first?.state == .disabled)
        #expect(await eventually { host.events("host.plugin.stopped").count == 1 })
        // The host has seen the exit and judged it: expected, not a crash.
        #expect(await eventually { log.all.contains { $0.contains("its process ended with exit status 3 while the host stopped it") } })
        #expect(!log.all.contains { $0.contains("its process died") }, "an exit while stopping is not a crash")
        #expect(try await bystanders.check(host))
        try await host.apply(plugins: "[\(try crasherEntry(crash: "exit-in-stop")), \(bystanders.entries())]")
        #expect(try await answer(host, "/crasher") == "alive 1")
        #expect(await bystanders.lostNothing())
        await host.shutdown()
    }

    @Test func reloadingAnIsolatedPluginDuringAFloodLosesNoEventForTheOthers() async throws {
        let host = try TestHost()
        let inProcess = TraceFile(in: host.directory, "in-process.txt")
        let isolated = TraceFile(in: host.directory, "isolated.txt")
        try await host.apply(plugins: """
            [\(try crasherEntry(crash: "none")),
             {"name": "honest", "library": \(jsonString(try Fixtures.probe(named: "honest"))), "config": {"traceFile": \(jsonString(inProcess.path)), "subscribe": "flood.>"}},
             {"name": "hostile", "library": \(jsonString(try Fixtures.probe(named: "hostile"))), "isolation": "process", "config": {"traceFile": \(jsonString(isolated.path)), "subscribe": "flood.>"}}]
            """)
        let pid = await host.status("crasher")?.processID
        // About 10 000 events a second: 10 on every tick of a 1 ms timer, until it is cancelled.
        let flood = Flood()
        let ticks = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "flood"))
        ticks.schedule(deadline: .now(), repeating: .milliseconds(1))
        ticks.setEventHandler { try? flood.send(host, 10) }
        let stopped = Atomic<Bool>(false)
        ticks.setCancelHandler { stopped.store(true, ordering: .releasing) }
        ticks.resume()
        #expect(await eventually { inProcess.lines.count >= 1000 })
        #expect(await host.manager.restart("crasher") == .restarted)
        #expect(await host.status("crasher")?.processID != pid, "the reload gave it a fresh process")
        let afterReload = flood.sent
        #expect(await eventually { inProcess.lines.count >= afterReload + 1000 })
        ticks.cancel()
        // The cancel handler runs after the last tick on the timer's queue: no event follows it.
        #expect(await eventually { stopped.load(ordering: .acquiring) })
        #expect(await eventually { inProcess.lines.count == flood.sent && isolated.lines.count == flood.sent })
        #expect(inProcess.lines == flood.expected())
        #expect(isolated.lines == flood.expected())
        #expect(try await answer(host, "/crasher") == "alive 0")
        await host.shutdown()
    }

    @Test func theHostRefusesAMalformedFrameFromAPluginsProcess() {
        let process = PluginProcess.parsingOnly()
        func call(_ op: UInt8, _ fields: [UInt8]) -> [UInt8] { [1, 0, 0, 0, op] + fields }
        let topic: [UInt8] = [3, 0, 0, 0] + Array("a.b".utf8)
        let payload: [UInt8] = [2, 0, 0, 0, 0x68, 0x69]
        // A well-formed publish parses (and is refused: the plugin it acts for has stopped).
        #expect(process.receive(kind: 22, body: call(4, topic + payload)))
        // A field that runs past the frame, bytes left over, an unknown call or frame kind: each ends the child.
        #expect(!process.receive(kind: 22, body: call(4, topic + [9, 0, 0, 0, 1])))
        #expect(!process.receive(kind: 22, body: call(4, topic + payload + [0])))
        #expect(!process.receive(kind: 22, body: call(200, [])))
        #expect(!process.receive(kind: 99, body: []))
        // A descriptor with a name the host would never accept.
        let descriptor: [UInt8] = [3, 0, 0, 0] + Array("B D".utf8) + [0, 0, 0, 0] + [0, 0, 0, 0] + [1, 0, 0, 0, 4, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0, 0]
        #expect(!process.receive(kind: 20, body: descriptor))
    }

    @Test func aBusyPluginIsMeasuredPerCallbackAndNotKilled() async throws {
        // Sixty events of 20 ms each: 1.2 s of work in a row, four times killAfterMs, while no
        // single callback comes near it.
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: """
            [{"name": "probe", "library": \(jsonString(try Fixtures.fixture("probe"))), "isolation": "process", "limits": {"killAfterMs": 300},
              "config": {"traceFile": \(jsonString(trace.path)), "subscribe": "none.x"}}]
            """)
        for _ in 0..<60 { try host.publish("probe.block", "20") }
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("blocking ") }.count == 60 }, "\(trace.lines.count)")
        await host.settled("probe")
        #expect(host.events("host.plugin.crashed").isEmpty)
        #expect(await host.status("probe")?.state == .running)
        await host.shutdown()
    }

    @Test func aPluginDisabledWhileItRestartsStaysStoppedAndItsCommandsGo() async throws {
        let host = try TestHost()
        let hold = host.directory.appendingPathComponent("let-it-start").path
        let entry = try crasherEntry(crash: "command", config: #""holdFile": \#(jsonString(hold))"#)
        try await host.apply(plugins: "[\(entry)]")
        #expect(try await eventually { try await answer(host, "/crasher") == "alive 0" })
        _ = try host.invoke("/crasher action:segv")
        #expect(await eventually {
            if case .restarting = await host.status("crasher")?.state { return true }
            return false
        })
        // Disabled while its restart waits in init: when init returns, it is stopped again, and
        // its command leaves Discord.
        let disabled = entry.replacingOccurrences(of: #""name": "crasher","#, with: #""name": "crasher", "enabled": false,"#)
        try await host.apply(plugins: "[\(disabled)]")
        FileManager.default.createFile(atPath: hold, contents: nil)
        #expect(await eventually { await host.status("crasher")?.state == .disabled && host.runtime.commands.definitions["crasher"] == nil })
        #expect(host.runtime.liveInstances.allSatisfy { $0.name != "crasher" })
        await host.shutdown()
    }

    @Test func theLimitsAreTheChildsHardLimits() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: """
            [{"name": "probe", "library": \(jsonString(try Fixtures.fixture("probe"))), "isolation": "process",
              "limits": {"memoryMB": 300, "openFiles": 64}, "config": {"traceFile": \(jsonString(trace.path)), "subscribe": "none.x"}}]
            """)
        let pid = try #require(await host.status("probe")?.processID)
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8).split(separator: "\n")
        func limit(_ name: String) -> [Substring] {
            limits.first { $0.hasPrefix(name) }.map { $0.dropFirst(name.count).split(separator: " ") } ?? []
        }
        // Soft and hard alike: the plugin cannot raise them again.
        #expect(limit("Max open files").prefix(2) == ["64", "64"], "\(limits)")
        #expect(limit("Max data size").prefix(2) == ["\(300 << 20)", "\(300 << 20)"], "\(limits)")
        #expect(limit("Max core file size").prefix(2) == ["0", "0"], "\(limits)")
        await host.shutdown()
    }
}
