@testable import BotHost
import Foundation
import Logging
import Synchronization

/// A real host for one test: its own data directory, a real database, real plugins. The clock is
/// manual unless the test asks for the system clock.
final class TestHost: Sendable {
    let directory: URL
    let parts: HostParts
    let runtime: HostRuntime
    let manager: PluginManager
    let manualClock: ManualClock?
    private let recorded = EventLog()
    private let tapToken: UInt64

    /// `hostJSON` is the plugins.json "host" section (e.g. `{"cleanupDeadlineMs": 200}`).
    init(hostJSON: String = "{}", directory: URL? = nil, manualClock: Bool = true, logger: Logger = Logger(label: "bothost")) throws {
        let directory = directory ?? Fixtures.temporaryDirectory()
        self.directory = directory
        let file = try PluginsFileLoader.parse(Array(#"{"host": \#(hostJSON), "plugins": []}"#.utf8), file: "test-plugins.json")
        let clock: any HostClock
        if manualClock {
            let manual = ManualClock()
            self.manualClock = manual
            clock = manual
        } else {
            self.manualClock = nil
            clock = SystemClock()
        }
        // Assembled as the executable assembles it.
        parts = try HostParts(settings: file.host, dataDirectory: directory.appendingPathComponent("data").path,
                              pluginsDirectory: Fixtures.buildDirectory, configDirectory: directory.path, clock: clock, logger: logger)
        runtime = parts.runtime
        manager = parts.manager
        let recorded = self.recorded
        tapToken = try runtime.bus.tap(">") { topic, payload in
            recorded.append(topic, String(decoding: payload, as: UTF8.self))
        }
    }

    /// Applies a "plugins" array given as JSON text.
    @discardableResult
    func apply(plugins json: String) async throws -> [PluginStatus] {
        let file = try PluginsFileLoader.parse(Array(#"{"plugins": \#(json)}"#.utf8), file: "test-plugins.json")
        return await manager.apply(file)
    }

    func status(_ name: String) async -> PluginStatus? {
        await manager.statuses().first { $0.name == name }
    }

    /// Every bus message seen so far (host-side tap), in publish order.
    func events(_ topic: String) -> [String] {
        recorded.payloads(on: topic)
    }

    /// Invokes a slash command typed as the console reads it (`/count add:1`) and returns what
    /// records the plugin's answers.
    func invoke(_ line: String, userID: UInt64 = 5) throws -> RecordingResponder {
        let responder = RecordingResponder()
        let invocation = try LocalInvocation.parse(line, definitions: runtime.commands.definitions, userID: userID)
        try runtime.invokeCommand(invocation, responder: responder)
        return responder
    }

    func publish(_ topic: String, _ payload: String) throws {
        try runtime.publish(topic: topic, payload: Array(payload.utf8))
    }

    func advance(ms: Int64) {
        manualClock?.advance(byMs: ms)
    }

    /// Stops the plugins, then the runtime. The tap stays until the plugins have stopped, so what
    /// they publish while stopping is recorded too.
    func shutdown() async {
        await manager.stopAll()
        runtime.bus.untap(tapToken)
        await runtime.shutdown()
    }
}

/// JSON-quotes a string for building config text in tests.
func jsonString(_ text: String) -> String {
    let data = try? JSONSerialization.data(withJSONObject: [text], options: [])
    let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
    return String(array.dropFirst().dropLast())
}

/// Bus messages seen by a test host, in order.
final class EventLog: Sendable {
    private let entries = Mutex<[(topic: String, payload: String)]>([])
    func append(_ topic: String, _ payload: String) { entries.withLock { $0.append((topic, payload)) } }
    func payloads(on topic: String) -> [String] { entries.withLock { $0.filter { $0.topic == topic }.map(\.payload) } }
}

/// Keeps every log line (with metadata) so tests can check what a full run logged.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// A logger that writes here, at trace level.
    func logger(_ label: String = "bothost") -> Logger {
        Logger(label: label) { _ in CapturingHandler(log: self) }
    }
}

struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let merged = metadata.merging(extra ?? [:]) { $1 }
        log.append("\(level) \(message) \(merged)")
    }
}
