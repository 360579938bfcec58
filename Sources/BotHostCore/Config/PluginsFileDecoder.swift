import BotHostJSON
/// Turns a parsed plugins.json into the model, refusing anything unexpected with a precise error.
extension PluginsFileLoader {
    package static func decode(_ root: JSONValue, file: String) throws(ConfigError) -> PluginsFile {
        let check = ConfigChecker(file: file)
        let top = try check.object(root, at: "$", allowed: topKeys,
                                   expected: #"an object like {"host": {…}, "plugins": […]}"#,
                                   fix: #"write the file as {"plugins": [ … ]}"#)
        var result = PluginsFile()
        if let host = top["host"] { result.host = try decodeHost(host, check) }
        if let plugins = top["plugins"] {
            guard let items = plugins.arrayValue else {
                throw check.error("$.plugins", "expected an array of plugin entries, found \(ConfigChecker.describe(plugins))",
                                  #"write "plugins": [{"name": "…", "library": "…"}]"#)
            }
            var seen: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                let entry = try decodeEntry(item, at: "$.plugins[\(index)]", check)
                if let first = seen[entry.name] {
                    throw check.error("$.plugins[\(index)].name", "the name \"\(entry.name)\" is already used by $.plugins[\(first)]",
                                      "give every entry its own name (to load one library twice, use two names)")
                }
                seen[entry.name] = index
                result.plugins.append(entry)
            }
        }
        return result
    }

    private static func decodeHost(_ value: JSONValue, _ check: ConfigChecker) throws(ConfigError) -> HostSettings {
        let host = try check.object(value, at: "$.host", allowed: hostKeys, expected: "an object of host settings",
                                    fix: #"write "host": {"owners": ["123456789012345678"]} or remove "host""#)
        var settings = HostSettings()
        if let owners = host["owners"] {
            settings.owners = try decodeSnowflakes(owners, at: "$.host.owners", what: "user", key: "owners", check)
        }
        if let guilds = host["commandGuilds"] {
            settings.commandGuilds = try decodeSnowflakes(guilds, at: "$.host.commandGuilds", what: "server (guild)", key: "commandGuilds", check)
        }
        if let value = host["dataDirectory"] {
            settings.dataDirectory = try check.nonEmptyString(value, at: "$.host.dataDirectory", example: #""dataDirectory": "data""#)
        }
        if let value = host["pluginsDirectory"] {
            settings.pluginsDirectory = try check.nonEmptyString(value, at: "$.host.pluginsDirectory", example: #""pluginsDirectory": "plugins""#)
        }
        for (key, range, path) in HostSettings.integerSettings {
            guard let value = host[key] else { continue }
            settings[keyPath: path] = try check.integer(value, at: "$.host.\(key)", range: range, key: key)
        }
        if let value = host["logLevel"] {
            let levels = HostSettings.logLevels
            guard let level = value.stringValue, levels.contains(level) else {
                let guess = value.stringValue.flatMap { Suggestion.closest(to: $0, among: levels) }
                throw check.error("$.host.logLevel", "expected one of \(levels.joined(separator: ", ")), found \(ConfigChecker.describe(value))",
                                  guess.map { #"did you mean "\#($0)"? Write "logLevel": "\#($0)""# } ?? #"write e.g. "logLevel": "info""#)
            }
            settings.logLevel = level
        }
        return settings
    }

    /// An array of Discord ids (strings of digits; numbers accepted).
    private static func decodeSnowflakes(_ value: JSONValue, at path: String, what: String, key: String,
                                         _ check: ConfigChecker) throws(ConfigError) -> [UInt64] {
        let example = #"write "\#(key)": ["123456789012345678"] (Discord \#(what) ids, in quotes)"#
        guard let items = value.arrayValue else {
            throw check.error(path, "expected an array of Discord \(what) ids, found \(ConfigChecker.describe(value))", example)
        }
        var ids: [UInt64] = []
        for (index, item) in items.enumerated() {
            let id: UInt64? = switch item {
            case .string(let text) where !text.isEmpty && text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }): UInt64(text)
            case .number(let number): number.uint64
            default: nil
            }
            guard let id, id > 0 else {
                throw check.error("\(path)[\(index)]",
                                  "expected a Discord \(what) id (a string of digits), found \(ConfigChecker.describe(item))",
                                  "copy the id from Discord (Developer Mode → right-click → Copy ID) and \(example)")
            }
            ids.append(id)
        }
        return ids
    }

    private static func decodeEntry(_ value: JSONValue, at path: String, _ check: ConfigChecker) throws(ConfigError) -> PluginEntry {
        let example = #"{"name": "my-plugin", "library": "libMyPlugin.so", "enabled": true, "config": {}}"#
        let object = try check.object(value, at: path, allowed: entryKeys, expected: "a plugin entry object", fix: "write it as \(example)")
        let nameRule = "1 to 64 characters of a-z, 0-9, '-' and '_'"
        guard let nameValue = object["name"] else {
            throw check.error(path, #"missing "name""#, #"add "name": "my-plugin" (\#(nameRule))"#)
        }
        guard let name = nameValue.stringValue, PluginEntry.isValidName(name) else {
            var fix = "use \(nameRule)"
            if let text = nameValue.stringValue {
                let suggested = suggestedName(for: text)
                if PluginEntry.isValidName(suggested) { fix += #", e.g. "name": "\#(suggested)""# }
            }
            throw check.error("\(path).name", "expected a plugin name (\(nameRule)), found \(ConfigChecker.describe(nameValue))", fix)
        }
        guard let libraryValue = object["library"] else {
            throw check.error(path, #"missing "library""#,
                              #"add "library": "lib\#(name).so" (a file in the plugins folder, or a path)"#)
        }
        let library = try check.nonEmptyString(libraryValue, at: "\(path).library", example: #""library": "libMyPlugin.so""#)
        var enabled = true
        if let value = object["enabled"] {
            guard let flag = value.boolValue else {
                throw check.error("\(path).enabled", "expected true or false, found \(ConfigChecker.describe(value))",
                                  #"write "enabled": true or "enabled": false."#)
            }
            enabled = flag
        }
        var config = JSONValue.object(JSONObject())
        if let value = object["config"] {
            guard value.objectValue != nil else {
                throw check.error("\(path).config", "expected an object, found \(ConfigChecker.describe(value))",
                                  #"write the plugin's settings as "config": {"key": value}, or remove "config""#)
            }
            config = value
        }
        let isolation = try PluginIsolation.decode(object, at: path, check)
        return PluginEntry(name: name, library: library, enabled: enabled, config: config, isolation: isolation)
    }

    /// "My Plugin" → "my-plugin": a valid name close to what the operator wrote.
    private static func suggestedName(for text: String) -> String {
        let mapped = text.lowercased().unicodeScalars.map { scalar -> Character in
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
            return ok ? Character(scalar) : "-"
        }
        return String(String(mapped).prefix(64))
    }
}

/// Type checks that produce `ConfigError`s for one file.
package struct ConfigChecker {
    package let file: String

    package func error(_ path: String, _ problem: String, _ fix: String) -> ConfigError {
        ConfigError(file: file, path: path, problem: problem, fix: fix)
    }

    /// The value as an object whose keys are all in `allowed`.
    package func object(_ value: JSONValue, at path: String, allowed: [String], expected: String, fix: String) throws(ConfigError) -> JSONObject {
        guard let object = value.objectValue else {
            throw error(path, "expected \(expected), found \(Self.describe(value))", fix)
        }
        for key in object.keys where !allowed.contains(key) {
            let keyPath = JSONParser.isPlainKey(key) ? "\(path).\(key)" : "\(path)[\(JSONValue.string(key).compactText)]"
            let known = "the keys allowed here are \(allowed.joined(separator: ", "))"
            let fix = Suggestion.closest(to: key, among: allowed).map { #"did you mean "\#($0)"? (\#(known))"# }
                ?? "remove it; \(known)"
            throw error(keyPath, "unknown key \"\(key)\"", fix)
        }
        return object
    }

    package func nonEmptyString(_ value: JSONValue, at path: String, example: String) throws(ConfigError) -> String {
        guard let text = value.stringValue, !text.isEmpty, !text.utf8.contains(0) else {
            throw error(path, "expected a non-empty string, found \(Self.describe(value))", "write e.g. \(example)")
        }
        return text
    }

    package func integer(_ value: JSONValue, at path: String, range: ClosedRange<Int>, key: String, example: Int? = nil) throws(ConfigError) -> Int {
        guard let number = value.numberValue?.int64, let int = Int(exactly: number), range.contains(int) else {
            throw error(path, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(Self.describe(value))",
                        #"write e.g. "\#(key)": \#(example ?? HostSettings.defaultValue(of: key) ?? range.lowerBound)"#)
        }
        return int
    }

    /// A short description of a value for "found …": scalars as JSON text, containers by kind.
    package static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let text) where text.count > 60:
            return JSONValue.string(String(text.prefix(60)) + "…").compactText
        default: return value.compactText
        }
    }
}

extension HostSettings {
    package static func defaultValue(of key: String) -> Int? {
        HostSettings.integerSettings.first { $0.key == key }.map { HostSettings()[keyPath: $0.path] }
    }
}
