import BotHostJSON

/// Where a plugin's code runs, and — for a plugin in its own process — the limits and the restart
/// policy its supervisor applies. plugins.json, per entry:
///
///     "isolation": "process",
///     "limits": {"memoryMB": 512, "openFiles": 256, "killAfterMs": 10000},
///     "restart": {"maxCrashes": 5, "windowSeconds": 600, "maxBackoffMs": 30000}
///
/// "limits" and "restart" apply only to an isolated plugin: an in-process plugin shares the host's
/// address space, so nothing can limit or restart it alone.
public struct PluginIsolation: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// The default: the library is dlopen'ed into the host process.
        case inProcess = "in-process"
        /// The library runs in a supervised child process (`bothost plugin-host`).
        case process
    }

    public var mode: Mode = .inProcess
    /// The child's data limit (RLIMIT_DATA: heap and private mappings), in MiB.
    public var memoryMB = 1024
    /// The child's open file limit (RLIMIT_NOFILE).
    public var openFiles = 256
    /// A callback still running after this long gets the child killed and restarted.
    public var killAfterMs = 10_000
    /// After this many crashes within `windowSeconds` the plugin stays stopped.
    public var maxCrashes = 5
    public var windowSeconds = 600
    /// The longest wait between a crash and the restart (the wait doubles from 250 ms; the first
    /// restart after a quiet period is immediate).
    public var maxBackoffMs = 30_000

    public init() {}

    public var isProcess: Bool { mode == .process }

    /// The integer settings: section, JSON key, allowed range and where each lives.
    package static let integerSettings: [(section: String, key: String, range: ClosedRange<Int>, path: WritableKeyPath<PluginIsolation, Int> & Sendable)] = [
        ("limits", "memoryMB", 64...1_048_576, \.memoryMB),
        ("limits", "openFiles", 16...1_048_576, \.openFiles),
        ("limits", "killAfterMs", 100...3_600_000, \.killAfterMs),
        ("restart", "maxCrashes", 1...1000, \.maxCrashes),
        ("restart", "windowSeconds", 1...86_400, \.windowSeconds),
        ("restart", "maxBackoffMs", 0...3_600_000, \.maxBackoffMs),
    ]

    package static let entryKeys = ["isolation", "limits", "restart"]

    /// Reads an entry's "isolation", "limits" and "restart" keys.
    package static func decode(_ entry: JSONObject, at path: String, _ check: ConfigChecker) throws(ConfigError) -> PluginIsolation {
        var isolation = PluginIsolation()
        if let value = entry["isolation"] {
            let modes = Mode.allCases.map(\.rawValue)
            guard let text = value.stringValue, let mode = Mode(rawValue: text) else {
                let guess = value.stringValue.flatMap { Suggestion.closest(to: $0, among: modes) }
                throw check.error("\(path).isolation", "expected one of \(modes.map { "\"\($0)\"" }.joined(separator: ", ")), found \(ConfigChecker.describe(value))",
                                  guess.map { #"did you mean "\#($0)"? Write "isolation": "\#($0)""# }
                                      ?? #"write "isolation": "process" to run the plugin in its own process, or remove the key"#)
            }
            isolation.mode = mode
        }
        for section in ["limits", "restart"] {
            guard let value = entry[section] else { continue }
            guard isolation.isProcess else {
                throw check.error("\(path).\(section)", "\"\(section)\" applies only to a plugin in its own process",
                                  #"add "isolation": "process" to this entry, or remove "\#(section)""#)
            }
            let keys = integerSettings.filter { $0.section == section }
            let example = "{" + keys.map { "\"\($0.key)\": \(PluginIsolation()[keyPath: $0.path])" }.joined(separator: ", ") + "}"
            let object = try check.object(value, at: "\(path).\(section)", allowed: keys.map(\.key),
                                          expected: "an object", fix: "write it as \"\(section)\": \(example)")
            for setting in keys {
                guard let number = object[setting.key] else { continue }
                isolation[keyPath: setting.path] = try check.integer(number, at: "\(path).\(section).\(setting.key)", range: setting.range,
                                                                     key: setting.key, example: PluginIsolation()[keyPath: setting.path])
            }
        }
        return isolation
    }

    /// The keys to write back for an entry (only what differs from the defaults).
    package func encode(into entry: inout JSONObject) {
        guard isProcess else { return }
        entry["isolation"] = .string(mode.rawValue)
        let defaults = PluginIsolation()
        for section in ["limits", "restart"] {
            var object = JSONObject()
            for setting in Self.integerSettings where setting.section == section && self[keyPath: setting.path] != defaults[keyPath: setting.path] {
                object[setting.key] = .number(JSONNumber(self[keyPath: setting.path]))
            }
            if !object.isEmpty { entry[section] = .object(object) }
        }
    }
}
