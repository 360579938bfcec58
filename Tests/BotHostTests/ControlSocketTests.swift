@testable import BotHost
import Foundation
import Testing

/// The running host's control socket (`ControlSocket`, `ControlAnswers`), over a real Unix socket
/// against a real host with real plugin libraries.
@Suite struct ControlSocketTests {
    private func probeEntry(_ trace: TraceFile, library: String) -> String {
        #"{"name": "probe", "library": \#(jsonString(library)), "config": {"traceFile": \#(jsonString(trace.path))}}"#
    }

    /// A host with a running probe (its library at a path the test may replace), a refused plugin
    /// and a disabled one, its control socket served.
    private func hostWithControl(log: CapturedLog = CapturedLog()) async throws -> (TestHost, ControlSocket, TraceFile, String) {
        let host = try TestHost(logger: log.logger())
        let trace = TraceFile(in: host.directory)
        let library = host.directory.appendingPathComponent("libprobe-live.so").path
        try FileManager.default.copyItem(atPath: try Fixtures.fixture("probe"), toPath: library)
        try await host.apply(plugins: """
            [\(probeEntry(trace, library: library)),
             {"name": "broken", "library": \(jsonString(try Fixtures.fixture("init_fails")))},
             {"name": "counter", "library": "libExampleCCounter.so", "enabled": false}]
            """)
        let control = try ControlSocket.claim(dataDirectory: host.directory.appendingPathComponent("data").path)
        control.serve(ControlAnswers(manager: host.manager), logger: log.logger("control"))
        return (host, control, trace, library)
    }

    /// The client blocks on the socket: off the shared task pool.
    private func send(_ request: ControlRequest, to host: TestHost) async throws -> JSONObject {
        let data = host.directory.appendingPathComponent("data").path
        return try await Fixtures.offPool { try ControlClient.send(request, dataDirectory: data) }
    }

    @Test func itListsTheLiveStatusOfEveryPlugin() async throws {
        let (host, control, _, _) = try await hostWithControl()
        var info = stat()
        #expect(stat(control.path, &info) == 0 && info.st_mode & 0o777 == 0o600, "the socket is the host user's alone")

        let reply = try await send(.list, to: host)
        #expect(reply["ok"]?.boolValue == true)
        let plugins = try #require(reply["plugins"]?.arrayValue)
        #expect(plugins.compactMap { $0["name"]?.stringValue } == ["probe", "broken", "counter"])
        #expect(plugins.compactMap { $0["state"]?.stringValue } == ["running", "refused", "disabled"])
        #expect(plugins[0]["version"]?.stringValue == "1.0.0")
        #expect(plugins[0]["registrations"]?.int64Value ?? 0 > 0)
        #expect(plugins[1]["refusal"]?["cause"]?.stringValue?.contains("missing required config key apiUrl") == true)
        // The text is the one rendering the console shows.
        let statuses = await host.manager.statuses()
        #expect(reply["message"]?.stringValue == statuses.map { "  " + $0.line }.joined(separator: "\n"))
        #expect(statuses[0].line.hasPrefix("✔ probe 1.0.0 — running,") && statuses[0].line.contains("0 dropped event(s)"))

        control.close()
        #expect(!FileManager.default.fileExists(atPath: control.path), "the socket file goes with the host")
        await host.shutdown()
    }

    @Test func reloadStartsThePluginAgainFromItsLibraryAsItIsNow() async throws {
        let (host, control, trace, library) = try await hostWithControl()
        // A new build renamed over the old file, as `make plugins` installs one.
        let next = host.directory.appendingPathComponent("libprobe-next.so").path
        try FileManager.default.copyItem(atPath: try Fixtures.probeVersion2(), toPath: next)
        #expect(rename(next, library) == 0)

        let reply = try await send(.reload(plugin: "probe"), to: host)
        #expect(reply["ok"]?.boolValue == true, "\(reply)")
        #expect(reply["outcome"]?.stringValue == "reloaded")
        #expect(reply["message"]?.stringValue == "reloaded probe")
        #expect(reply["status"]?["version"]?.stringValue == "2.0.0")
        try host.publish("probe.ask", "probe.echo 5000 hello")
        #expect(await eventually { trace.lines.contains("reply probe.echo 0 v2 hello") }, "the new build answers: \(trace.lines)")
        #expect(host.events("host.plugin.stopped").contains { $0.contains("reloaded by the operator") })

        let unknown = try await send(.reload(plugin: "nosuch"), to: host)
        #expect(unknown["ok"]?.boolValue == false)
        #expect(unknown["outcome"]?.stringValue == "notConfigured")
        #expect(unknown["message"]?.stringValue == "no enabled plugin named nosuch in plugins.json")
        let disabled = try await send(.reload(plugin: "counter"), to: host)
        #expect(disabled["outcome"]?.stringValue == "notConfigured")
        let refused = try await send(.reload(plugin: "broken"), to: host)
        #expect(refused["ok"]?.boolValue == false)
        #expect(refused["outcome"]?.stringValue == "refused")
        #expect(refused["error"]?.stringValue?.contains("missing required config key apiUrl") == true)
        control.close()
        await host.shutdown()
    }

    /// Reads every line the host sends on a raw connection until it closes it.
    private func exchange(_ bytes: [UInt8], socket: String) async throws -> [String] {
        try await Fixtures.offPool {
            let fd = try UnixSocket.connect(path: socket)
            defer { close(fd) }
            UnixSocket.writeAll(fd, bytes)
            shutdown(fd, Int32(SHUT_WR))  // the host sees the end of the requests
            var reader = SocketLineReader(fd: fd, limit: 1 << 20)
            var lines: [String] = []
            while case .line(let line) = reader.next() { lines.append(String(decoding: line, as: UTF8.self)) }
            return lines
        }
    }

    @Test func malformedAndOversizedRequestsGetAnErrorAndTheHostServesOn() async throws {
        let (host, control, _, _) = try await hostWithControl()
        let replies = try await exchange(Array("""
            not json
            {"request":"reload"}
            {"request":"reload","plugin":"Bad Name"}
            {"request":"list","plugin":"probe"}
            {"request":"shutdown"}
            {"request":"list"}

            """.utf8), socket: control.path)
        try #require(replies.count == 6, "\(replies)")
        let parsed = try replies.map { try #require(try JSONValue.parse($0).objectValue) }
        #expect(parsed.prefix(5).allSatisfy { $0["ok"]?.boolValue == false })
        #expect(parsed[0]["error"]?.stringValue?.contains("not JSON") == true)
        #expect(parsed[1]["error"]?.stringValue?.contains("needs a \"plugin\"") == true)
        #expect(parsed[2]["error"]?.stringValue?.contains("is not a plugin name") == true)
        #expect(parsed[3]["error"]?.stringValue?.contains("unknown key \"plugin\"") == true)
        #expect(parsed[4]["error"]?.stringValue?.contains("unknown request \"shutdown\"") == true)
        #expect(parsed[5]["ok"]?.boolValue == true, "a connection goes on after a malformed request")

        // A line longer than the limit, with no newline in sight: an error, then the host hangs up.
        let oversized = try await exchange([UInt8](repeating: UInt8(ascii: "x"), count: 3 * ControlRequest.maxLineBytes),
                                           socket: control.path)
        #expect(oversized.count == 1 && oversized.first?.contains("longer than \(ControlRequest.maxLineBytes) bytes") == true,
                "\(oversized)")
        #expect(try await send(.list, to: host)["ok"]?.boolValue == true, "the host serves on")
        control.close()
        await host.shutdown()
    }

    @Test func oneHostPerDataDirectoryAndAStaleSocketIsReplaced() throws {
        let data = Fixtures.temporaryDirectory("control-claim").appendingPathComponent("data").path
        // A socket file left behind by a host that died: bound, never unlinked, nobody listening.
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let stale = try UnixSocket.listen(path: ControlSocket.path(dataDirectory: data), mode: 0o600)
        close(stale)
        #expect(throws: ControlClient.Failure.self) { try ControlClient.send(.list, dataDirectory: data) }

        let first = try ControlSocket.claim(dataDirectory: data)
        do {
            _ = try ControlSocket.claim(dataDirectory: data)
            Issue.record("a second host claimed the same data directory")
        } catch {
            guard case .anotherHostRunning = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("another bothost is already running on the data directory \(data)"))
            #expect(error.description.contains("Fix:"))
        }
        first.close()
        let again = try ControlSocket.claim(dataDirectory: data)
        again.close()
    }

    @Test func aRequestFromAnotherUserIsRefusedAndLogged() async throws {
        // The client runs as `nobody` through setpriv, which needs root to switch users.
        guard getuid() == 0 else {
            Issue.record("this test switches the client to the user nobody and must run as root")
            return
        }
        let log = CapturedLog()
        let (host, control, _, _) = try await hostWithControl(log: log)
        let config = host.directory.appendingPathComponent("plugins.json").path
        try #"{"plugins": []}"#.write(toFile: config, atomically: true, encoding: .utf8)
        // Loosened as an operator might: the file's mode no longer keeps others out, the host
        // still does.
        #expect(chmod(control.path, 0o666) == 0)
        #expect(chmod(host.directory.appendingPathComponent("data").path, 0o755) == 0)
        let (status, output) = try await Fixtures.offPool {
            try Fixtures.execute("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLITests.executable,
                                                      "plugins", "reload", "probe", "--config", config,
                                                      "--data-dir", host.directory.appendingPathComponent("data").path])
        }
        #expect(status == 1, "\(output)")
        #expect(output.contains("refused: this host runs as uid 0; uid 65534 may not control it"), "\(output)")
        #expect(log.all.contains { $0.contains("control socket: refused a connection from uid 65534") }, "\(log.all.suffix(5))")
        #expect(await host.status("probe")?.state == .running)
        #expect(!host.events("host.plugin.stopped").contains { $0.contains("probe") }, "nothing was reloaded")
        control.close()
        await host.shutdown()
    }
}
