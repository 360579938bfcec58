@testable import BotHost
import Foundation
import Testing

/// The plugins.json watcher also watches the library files of the running plugins: a replaced file
/// reloads its plugin alone, once the file has settled, and only when the new file loads.
@Suite struct LibraryReplacementTests {
    /// A host whose real watcher follows plugins.json: the probe from a file the test replaces, and
    /// an independent probe ("honest") subscribed to `feed.x`.
    private func hostWithTwoProbes(_ log: CapturedLog) async throws -> (TestHost, WatchedPluginsFile, TraceFile, TraceFile, String) {
        let host = try TestHost(logger: log.logger())
        let trace = TraceFile(in: host.directory)
        let otherTrace = TraceFile(in: host.directory, "honest.txt")
        let library = host.directory.appendingPathComponent("libprobe-live.so").path
        try FileManager.default.copyItem(atPath: try Fixtures.fixture("probe"), toPath: library)
        let plugins = """
            [{"name": "probe", "library": \(jsonString(library)), "config": {"traceFile": \(jsonString(trace.path))}},
             {"name": "honest", "library": \(jsonString(try Fixtures.probe(named: "honest"))),
              "config": {"traceFile": \(jsonString(otherTrace.path)), "subscribe": "feed.x"}}]
            """
        try await host.apply(plugins: plugins)
        let watched = try WatchedPluginsFile(host: host, hostLog: log, plugins: plugins)
        // Replaced from here on, the file is new to the watcher.
        #expect(await eventually { log.all.contains { $0.contains("watching the library of plugin probe for replacement") } })
        return (host, watched, trace, otherTrace, library)
    }

    /// Renames `replacement` over `library`, as an installer should.
    private func replace(_ library: String, with replacement: String, in host: TestHost) throws {
        let next = host.directory.appendingPathComponent("libprobe-next-\(UUID().uuidString.prefix(6)).so").path
        try FileManager.default.copyItem(atPath: replacement, toPath: next)
        #expect(rename(next, library) == 0)
    }

    @Test func aReplacedLibraryIsReloadedWhileAnotherPluginMissesNothing() async throws {
        let log = CapturedLog()
        let (host, watched, trace, otherTrace, library) = try await hostWithTwoProbes(log)
        var published = 0
        func publishOne() throws {
            let result = try host.runtime.publish(topic: "feed.x", payload: Array("\(published)".utf8))
            #expect(result.delivered == 1 && result.dropped == 0)
            published += 1
        }
        for _ in 0..<20 { try publishOne() }
        try replace(library, with: try Fixtures.probeVersion2(), in: host)
        // The other plugin keeps receiving while the watcher notices, waits a poll, and reloads.
        let reloaded = await eventually {
            try? publishOne()
            return await host.status("probe")?.version == "2.0.0"
        }
        #expect(reloaded, "\(log.all.suffix(10))")
        for _ in 0..<20 { try publishOne() }
        try host.publish("probe.ask", "probe.echo 5000 after")
        #expect(await eventually { trace.lines.contains("reply probe.echo 0 v2 after") }, "the new build answers: \(trace.lines)")

        // (Every probe also acts on probe.ask: only its feed.x lines count here.)
        func received() -> [String] { otherTrace.lines.filter { $0.hasPrefix("msg feed.x ") } }
        #expect(await eventually { received().count == published }, "\(received().count) of \(published)")
        #expect(received() == (0..<published).map { "msg feed.x \($0)" }, "every event, in order")
        #expect(await eventually { host.starts(of: "probe") == 2 })
        #expect(host.starts(of: "honest") == 1, "the other plugin was never restarted")
        #expect(host.starts(of: "probe") == 2, "reloaded once")
        #expect(log.all.contains { $0.contains("the library of plugin probe was replaced") })
        #expect(host.events("host.plugin.stopped").contains { $0.contains("its library file was replaced") })
        _ = watched
        await host.shutdown()
    }

    @Test func aReplacementThatDoesNotLoadLeavesThePluginRunningItsCode() async throws {
        let log = CapturedLog()
        let (host, watched, trace, _, library) = try await hostWithTwoProbes(log)
        let garbage = host.directory.appendingPathComponent("garbage.so").path
        try Data("not a shared library".utf8).write(to: URL(fileURLWithPath: garbage))
        try replace(library, with: garbage, in: host)
        #expect(await eventually { log.all.contains { $0.contains("the library of plugin probe was replaced, but the new file is refused") } },
                "\(log.all.suffix(10))")
        #expect(await host.status("probe")?.state == .running)
        try host.publish("probe.ask", "probe.echo 5000 still")
        #expect(await eventually { trace.lines.contains("reply probe.echo 0 still") }, "the previous code answers: \(trace.lines)")
        #expect(host.starts(of: "probe") == 1)

        // A good build afterwards is taken up.
        try replace(library, with: try Fixtures.probeVersion2(), in: host)
        #expect(await eventually { await host.status("probe")?.version == "2.0.0" })
        _ = watched
        await host.shutdown()
    }
}
