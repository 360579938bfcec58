@testable import BotHost
import Foundation
import Testing

/// The `bothost` executable, driven as an operator would: real process, real files, real signals.
@Suite struct CLITests {
    static var executable: String { Fixtures.buildDirectory + "/bothost" }

    /// Writes a plugins.json with the counter plugin in a fresh folder.
    private func makeSetup(counterEnabled: Bool = true) throws -> (directory: URL, config: String) {
        let directory = Fixtures.temporaryDirectory("cli")
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.buildDirectory + "/libExampleCCounter.so",
                                         toPath: plugins.appendingPathComponent("libExampleCCounter.so").path)
        let config = directory.appendingPathComponent("plugins.json").path
        try """
            {
              "host": {"owners": ["7"]},
              "plugins": [
                {"name": "counter", "library": "libExampleCCounter.so", "enabled": \(counterEnabled), "config": {"tickMs": 3600000}}
              ]
            }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (directory, config)
    }

    @Test func acknowledgedWritesSurviveKill9() async throws {
        let (directory, config) = try makeSetup()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["run", "--config", config]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let seen = OutputCollector(output.fileHandleForReading)
        try process.run()
        #expect(await eventually { seen.text.contains("counter") && seen.text.contains("running") })
        input.fileHandleForWriting.write(Data("publish counter.add 7\n/count\n".utf8))
        // The reply comes after the add was stored: the write was acknowledged.
        #expect(await eventually { seen.text.contains("Count: 7") }, "output: \(seen.text)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let database = try HostDatabase(directory: directory.appendingPathComponent("data").path)
        let stored = try database.store(for: "counter").get("count")
        #expect(stored.map { String(decoding: $0, as: UTF8.self) } == "7")
    }

    @Test func sigtermStopsPluginsGracefully() async throws {
        let (_, config) = try makeSetup()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["run", "--config", config, "--no-console"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let log = OutputCollector(errors.fileHandleForReading)
        try process.run()
        #expect(await eventually { log.text.contains("plugin counter") && log.text.contains("started") })
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(log.text.contains("counter cleaned up"))
    }

    @Test func invalidConfigIsRefusedWithFilePathAndFix() throws {
        let directory = Fixtures.temporaryDirectory("cli-bad")
        let config = directory.appendingPathComponent("plugins.json").path
        try #"{"plugins": [{"name": "counter", "library": "x.so", "enabeld": true}]}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let (status, text) = try runCLI(["run", "--config", config, "--no-console"])
        #expect(status == 78)
        #expect(text.contains("plugins.json"))
        #expect(text.contains("$.plugins[0]"))
        #expect(text.contains("enabled"))  // "did you mean enabled?"
    }

    @Test func pluginsCheckPrintsTheDescriptorOrTheRefusal() throws {
        let (ok, good) = try runCLI(["plugins", "check", Fixtures.buildDirectory + "/libExampleCCounter.so"])
        #expect(ok == 0)
        #expect(good.contains("name:        counter"))
        let (failed, bad) = try runCLI(["plugins", "check", try Fixtures.fixture("abi_major_99")])
        #expect(failed == 1)
        #expect(bad.contains("ABI 99."))
        #expect(bad.contains("Fix:"))
    }

    @Test func pluginsDisableAndEnableEditTheFile() throws {
        let (_, config) = try makeSetup()
        #expect(try runCLI(["plugins", "disable", "counter", "--config", config]).0 == 0)
        #expect(try PluginsFileLoader.load(contentsOf: config).plugins.first?.enabled == false)
        let (listStatus, list) = try runCLI(["plugins", "list", "--config", config])
        #expect(listStatus == 0)
        #expect(list.contains("disabled  counter"))
        #expect(try runCLI(["plugins", "enable", "counter", "--config", config]).0 == 0)
        #expect(try PluginsFileLoader.load(contentsOf: config).plugins.first?.enabled == true)
        let (unknown, message) = try runCLI(["plugins", "enable", "nosuch", "--config", config])
        #expect(unknown != 0)
        #expect(message.contains("counter"))  // names the plugins that do exist
    }

    /// A script's first line, typed before the bot has connected to the local Discord, waits for
    /// the bot instead of vanishing (Discord delivers nothing to a bot that is offline).
    @Test func theSandboxHoldsWhatIsTypedUntilTheBotIsConnected() async throws {
        // The whole script is there before the host has even started.
        let (process, input, seen) = try Self.sandbox("cli-sandbox-early", libraries: ["libExampleCCounter.so"], plugins: """
            {"name": "counter", "library": "libExampleCCounter.so", "config": {"tickMs": 3600000}}
            """, beforeStart: { $0.write(Data("/count add:7\nhello everyone\n".utf8)) })
        #expect(await eventually { seen.text.contains("Count: 7") }, "output: \(seen.text)")
        #expect(await eventually { seen.text.contains("hello everyone") }, "output: \(seen.text)")
        process.terminate()
        process.waitUntilExit()
    }

    /// `bothost sandbox --exit-on-eof` in a fresh folder whose plugins folder holds `libraries`
    /// (from the build) and whose plugins.json lists `plugins` (the entries, comma-separated).
    /// `beforeStart` may write to standard input before the process exists.
    static func sandbox(_ name: String, libraries: [String], plugins entries: String,
                        beforeStart: (FileHandle) -> Void = { _ in }) throws -> (Process, FileHandle, OutputCollector) {
        let directory = Fixtures.temporaryDirectory(name)
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        for library in libraries {
            try FileManager.default.copyItem(atPath: Fixtures.buildDirectory + "/" + library,
                                             toPath: plugins.appendingPathComponent(library).path)
        }
        let config = directory.appendingPathComponent("plugins.json").path
        try #"{"plugins": [\#(entries)]}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["sandbox", "--config", config, "--exit-on-eof"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let seen = OutputCollector(output.fileHandleForReading)
        beforeStart(input.fileHandleForWriting)
        try process.run()
        return (process, input.fileHandleForWriting, seen)
    }

    /// `make run` in miniature: `bothost sandbox` with a script on standard input. The simulated
    /// user's slash commands reach the real plugins through the local Discord and the answers are
    /// printed as the channel shows them; voice works with no network.
    @Test func theSandboxRunsAScriptAgainstTheLocalDiscord() async throws {
        let (process, input, seen) = try Self.sandbox(
            "cli-sandbox", libraries: ["libExampleCCounter.so", "libExampleSwiftGreeter.so", "libRateLimit.so", "libVoiceSessions.so"],
            plugins: """
              {"name": "counter", "library": "libExampleCCounter.so", "config": {"tickMs": 3600000}},
              {"name": "greeter", "library": "libExampleSwiftGreeter.so"},
              {"name": "ratelimit", "library": "libRateLimit.so"},
              {"name": "voicesessions", "library": "libVoiceSessions.so"}
            """)
        #expect(await eventually { seen.text.contains("synced") && seen.text.contains("slash command") }, "output: \(seen.text)")
        input.write(Data("""
            /count add:5
            /greet name:Ada
            /voice join

            """.utf8))
        #expect(await eventually { seen.text.contains("Count: 5") }, "output: \(seen.text)")
        #expect(await eventually { seen.text.contains("Ada") && seen.text.contains("Hello") }, "output: \(seen.text)")
        #expect(await eventually { seen.text.contains("voice session started") }, "output: \(seen.text)")
        // /voice status goes in only once the session has started (a script that cannot watch the
        // output would put a `sleep` before it).
        input.write(Data("""
            sleep 0
            /voice status
            sleep bogus

            """.utf8))
        #expect(await eventually { seen.text.contains("Your voice session is in <#2002>") }, "output: \(seen.text)")
        #expect(!seen.text.contains("You have no voice session"), "output: \(seen.text)")
        #expect(await eventually { seen.text.contains("usage: sleep SECONDS") }, "output: \(seen.text)")
        try input.close()
        #expect(await eventually { !process.isRunning }, "the sandbox must stop when its input ends")
        #expect(process.terminationStatus == 0)
        // The process has ended; what it wrote last may still be in the pipe on its way to us.
        #expect(await eventually { seen.text.contains("left the channel") }, "stopping leaves voice: \(seen.text)")
    }

    private func runCLI(_ arguments: [String]) throws -> (Int32, String) {
        try Fixtures.execute(Self.executable, arguments)
    }
}

/// Collects a process's output as it arrives.
final class OutputCollector: Sendable {
    private final class Buffer: Sendable {
        let text = Mutex<String>("")
    }
    private let buffer = Buffer()

    init(_ handle: FileHandle) {
        let buffer = self.buffer
        handle.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            buffer.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { buffer.text.withLock { $0 } }
}

import Synchronization
