@testable import BotHost
import Foundation
import Testing

/// `bothost plugins list` and `bothost plugins reload` from another terminal, against a real
/// `bothost run` process on the same plugins.json and data directory.
@Suite struct PluginsControlCLITests {
    /// The real binary, off the shared task pool (it blocks until the host answers).
    private func cli(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await Fixtures.offPool { try Fixtures.execute(CLITests.executable, arguments) }
    }

    @Test func listAndReloadReachTheRunningHostAndASecondHostIsRefused() async throws {
        let directory = Fixtures.temporaryDirectory("cli-control")
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixtures.fixture("probe"), toPath: plugins.appendingPathComponent("libprobe.so").path)
        let trace = TraceFile(in: directory)
        let config = directory.appendingPathComponent("plugins.json").path
        try """
            {"plugins": [
              {"name": "probe", "library": "libprobe.so", "config": {"traceFile": \(jsonString(trace.path))}},
              {"name": "counter", "library": "libExampleCCounter.so", "enabled": false}
            ]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data").path
        let socket = ControlSocket.path(dataDirectory: data)

        let host = try HostProcess(config: config, emulator: nil)
        #expect(await eventually { host.log.text.contains("plugin probe 1.0.0 started") }, "\(host.log.text)")

        let (listStatus, list) = try await cli(["plugins", "list", "--config", config])
        #expect(listStatus == 0, "\(list)")
        #expect(list.contains("Live, from the host running on \(data):"), "\(list)")
        #expect(list.contains("✔ probe 1.0.0 — running,"), "\(list)")
        #expect(list.contains("– counter — disabled"), "\(list)")

        let (reloadStatus, reloaded) = try await cli(["plugins", "reload", "probe", "--config", config])
        #expect(reloadStatus == 0, "\(reloaded)")
        #expect(reloaded.contains("reloaded probe"), "\(reloaded)")
        #expect(host.log.text.contains("stopping plugin probe: reloaded by the operator"), "the reply came after the reload")

        let (unknownStatus, unknown) = try await cli(["plugins", "reload", "nosuch", "--config", config])
        #expect(unknownStatus == 1)
        #expect(unknown.contains("no enabled plugin named nosuch in plugins.json"), "\(unknown)")

        // A second host on the same data directory is refused as a configuration mistake, with the fix,
        // and leaves the first one's socket alone.
        let (secondStatus, second) = try await cli(["run", "--config", config, "--no-console"])
        #expect(secondStatus == 78, "\(second)")
        #expect(second.contains("another bothost is already running on the data directory \(data)"), "\(second)")
        #expect(second.contains("Fix: stop that host first, or give this one its own --data-dir"), "\(second)")
        #expect(try await cli(["plugins", "list", "--config", config]).status == 0, "the first host still answers")

        #expect(host.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: socket), "the host removes its socket when it stops")

        let (noHostStatus, noHost) = try await cli(["plugins", "reload", "probe", "--config", config])
        #expect(noHostStatus == 69, "\(noHost)")
        #expect(noHost.contains("no host is running on this data directory (nothing listens on \(socket))"), "\(noHost)")
        #expect(noHost.contains("bothost run"), "\(noHost)")
        let (offlineStatus, offline) = try await cli(["plugins", "list", "--config", config])
        #expect(offlineStatus == 0)
        #expect(offline.contains("No host is running on \(data); checking \(config) offline:"), "\(offline)")
        #expect(offline.contains("enabled   probe  1.0.0"), "\(offline)")
    }

    /// The console's `reload NAME` (and `restart NAME`, kept) say what happened in the same words.
    @Test func theConsoleReloadsAndRestartsAPlugin() async throws {
        let directory = Fixtures.temporaryDirectory("cli-console-reload")
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.buildDirectory + "/libExampleCCounter.so",
                                         toPath: plugins.appendingPathComponent("libExampleCCounter.so").path)
        let config = directory.appendingPathComponent("plugins.json").path
        try #"{"plugins": [{"name": "counter", "library": "libExampleCCounter.so", "config": {"tickMs": 3600000}}]}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.executable)
        process.arguments = ["run", "--config", config, "--exit-on-eof"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let seen = OutputCollector(output.fileHandleForReading)
        try process.run()
        input.fileHandleForWriting.write(Data("reload counter\nrestart counter\nreload nosuch\nplugins\n".utf8))
        #expect(await eventually { seen.text.contains("no enabled plugin named nosuch in plugins.json; 'plugins' lists them") },
                "\(seen.text)")
        #expect(seen.text.contains("reloaded counter"))
        #expect(seen.text.contains("restarted counter"))
        #expect(seen.text.contains("stopping plugin counter: reloaded by the operator"))
        // Once at start, once for `plugins`.
        #expect(await eventually { seen.text.components(separatedBy: "✔ counter").count - 1 == 2 }, "\(seen.text)")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
