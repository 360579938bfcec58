@testable import BotHost
import Foundation
import Testing

/// Outbound HTTP, bounded bus queues and library reloads, through real plugins.
@Suite struct PluginServicesTests {
    private func probeEntry(_ trace: TraceFile, subscribe: String = "none.x", library: String? = nil) throws -> String {
        #"{"name": "probe", "library": \#(jsonString(try library ?? Fixtures.fixture("probe"))), "config": {"traceFile": \#(jsonString(trace.path)), "subscribe": \#(jsonString(subscribe))}}"#
    }

    @Test func httpRequestsDeliverStatusHeadersAndBodyOrTheFailure() async throws {
        let server = try await TestHTTPServer()
        let host = try TestHost(manualClock: false)
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: "[\(try probeEntry(trace))]")

        try host.publish("probe.http", "5000 \(server.url("/ok"))")
        #expect(await eventually { trace.lines.contains("http 0 200 yes hello") }, "\(trace.text)")
        // An HTTP error status is a response, not a failure.
        try host.publish("probe.http", "5000 \(server.url("/missing"))")
        #expect(await eventually { trace.lines.contains("http 0 404 yes nope") }, "\(trace.text)")
        // No response in time: BOTHOST_E_TIMEOUT (4), never mistaken for an empty answer.
        try host.publish("probe.http", "200 \(server.url("/slow"))")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("http 4 0 ") } }, "\(trace.text)")
        // Nobody listening: a failure — BOTHOST_E_IO (9), or BOTHOST_E_TIMEOUT (4) when the client
        // keeps retrying the refused connection until the deadline — never an HTTP answer.
        await server.close()
        let failures = { trace.lines.filter { $0.hasPrefix("http 9 0 ") || $0.hasPrefix("http 4 0 ") }.count }
        let before = failures()
        try host.publish("probe.http", "2000 \(server.url("/ok"))")
        #expect(await eventually { failures() == before + 1 }, "\(trace.text)")
        // Not a URL: refused at the call, with a reason.
        try host.publish("probe.http", "5000 ftp://example")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("http-failed ftp://example") && $0.contains("http://") } })
        await host.shutdown()
    }

    @Test func unregisteringAnHTTPCallCancelsIt() async throws {
        let server = try await TestHTTPServer()
        let host = try TestHost(manualClock: false)
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: "[\(try probeEntry(trace))]")
        try host.publish("probe.http", "10000 \(server.url("/slow"))")
        #expect(await eventually { server.received("/slow") == 1 }, "the call is in flight")
        try host.publish("probe.http.cancel", "")
        // BOTHOST_E_CANCELLED (11), delivered once; the late response never arrives.
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("http 11 0 ") } }, "\(trace.text)")
        server.releaseSlow()
        #expect(await eventually { server.finished("/slow") == 1 })
        // A call made after the late response was written is answered; the late one still is not.
        try host.publish("probe.http", "5000 \(server.url("/ok"))")
        #expect(await eventually { trace.lines.contains("http 0 200 yes hello") }, "\(trace.text)")
        #expect(trace.lines.filter { $0.hasPrefix("http ") }.count == 2, "\(trace.text)")
        await host.shutdown()
        await server.close()
    }

    @Test func aFullQueueDropsCountsAndReportsNeverSilently() async throws {
        let host = try TestHost(hostJSON: #"{"busQueueCapacity": 16}"#)
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: "[\(try probeEntry(trace, subscribe: "flood.x"))]")
        // The plugin blocks until the test creates the release file.
        let release = host.directory.appendingPathComponent("release-block").path
        try host.publish("probe.block", "60000 \(release)")
        // Once the plugin says it is blocking, its queue only fills: 100 messages overflow 16 places.
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("blocking probe.block 60000") } })
        var dropped = 0
        for i in 0..<100 { dropped += try host.runtime.publish(topic: "flood.x", payload: Array("\(i)".utf8)).dropped }
        #expect(dropped == 100 - 16, "16 places, the rest dropped while the plugin is busy")
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        #expect(await eventually { !host.events("host.bus.overflow").isEmpty })
        #expect(host.events("host.bus.overflow").first?.contains(#""plugin":"probe""#) == true)
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("msg flood.x") }.count == 100 - dropped })
        #expect(await host.status("probe")?.droppedEvents == UInt64(dropped))
        // What was delivered kept its order.
        let delivered = trace.lines.filter { $0.hasPrefix("msg flood.x") }.compactMap { Int($0.split(separator: " ").last ?? "") }
        #expect(delivered == delivered.sorted())
        await host.shutdown()
    }

    @Test func aChangedLibraryFileIsLoadedUnderAFreshPath() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        let source = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/Plugins/probe.c").path
        let path = host.directory.appendingPathComponent("libprobe-live.so").path
        let v2 = host.directory.appendingPathComponent("libprobe-v2.so").path
        try FileManager.default.copyItem(atPath: try Fixtures.fixture("probe"), toPath: path)
        try Fixtures.run("/usr/bin/env", ["cc", "-std=c11", "-shared", "-fPIC", "-DPROBE_VERSION=\"2.0.0\"",
                                          "-I", Fixtures.headerDirectory, "-o", v2, source])
        let entry = try probeEntry(trace, library: path)
        try await host.apply(plugins: "[\(entry)]")
        #expect(await host.status("probe")?.version == "1.0.0")
        try await host.apply(plugins: "[]")
        // Replace the file the way operators should: a new file renamed over the old one.
        #expect(rename(v2, path) == 0)
        try await host.apply(plugins: "[\(entry)]")
        #expect(await host.status("probe")?.version == "2.0.0")
        try host.publish("probe.ask", "probe.echo 1000 v2-works")
        #expect(await eventually { trace.lines.contains("reply probe.echo 0 v2-works") })
        await host.shutdown()
    }

    @Test func aPluginThatKeepsOverrunningIsStopped() async throws {
        let host = try TestHost(hostJSON: #"{"callbackBudgetMs": 50, "maxOverruns": 2}"#)
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: "[\(try probeEntry(trace))]")
        try host.publish("probe.block", "200")
        #expect(await eventually { host.events("host.plugin.overrun").count == 1 })
        #expect(await host.status("probe")?.state == .running)
        try host.publish("probe.block", "200")
        #expect(await eventually { await host.status("probe")?.state == .disabled })
        #expect(await eventually { host.events("host.plugin.stopped").first?.contains("overrunning") == true })
        await host.shutdown()
    }
}
