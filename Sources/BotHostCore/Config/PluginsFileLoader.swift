import BotHostJSON
import Foundation

/// Reads, validates and renders plugins.json. Validation is strict: a wrong type, a bad value or
/// an unknown key anywhere is an error naming the file, the JSON path and the fix — a typo never
/// silently falls back to a default.
public enum PluginsFileLoader {
    package static let topKeys = ["host", "plugins"]
    package static let hostKeys = ["owners", "commandGuilds", "dataDirectory", "pluginsDirectory", "logLevel"]
        + HostSettings.integerSettings.map(\.key)
    package static let entryKeys = ["name", "library", "enabled", "config"] + PluginIsolation.entryKeys
    /// plugins.json is small; anything this big is the wrong file.
    package static let maxFileBytes = 16 * 1024 * 1024

    public static func load(contentsOf path: String) throws(ConfigError) -> PluginsFile {
        guard let bytes = try readBytes(path) else {
            throw ConfigError(file: path, path: "", problem: "the file does not exist",
                              fix: #"create it, e.g. containing {"plugins": []}, or point to another file with --config PATH"#)
        }
        return try parse(bytes, file: path)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> PluginsFile {
        try decode(try parseTree(bytes, file: file), file: file)
    }

    /// Pretty JSON with a stable layout; `parse(render(f))` gives back `f`. Host settings at their
    /// default value are left out.
    public static func render(_ file: PluginsFile) -> String {
        encode(file).prettyText
    }

    // MARK: reading

    package static func parseTree(_ bytes: [UInt8], file: String) throws(ConfigError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw ConfigError(file: file, syntax: error)
        }
    }

    /// The file's bytes, or nil when it does not exist.
    package static func readBytes(_ path: String) throws(ConfigError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw ConfigError(file: path, path: "", problem: "cannot open the file: \(String(cString: strerror(code)))",
                              fix: code == EACCES ? "make it readable by the user running bothost" : "check the path and its permissions")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw ConfigError(file: path, path: "", problem: "cannot read the file: \(String(cString: strerror(code)))",
                                  fix: code == EISDIR ? "point to the plugins.json file, not its folder" : "check the file and its permissions")
            }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maxFileBytes else {
                throw ConfigError(file: path, path: "", problem: "the file is larger than \(maxFileBytes / 1024 / 1024) MiB",
                                  fix: "point to the plugins.json file; plugin configs belong in it, large data does not")
            }
        }
    }

    // MARK: encoding

    package static func encode(_ file: PluginsFile) -> JSONValue {
        var root = JSONObject()
        let host = encode(file.host)
        if !host.isEmpty { root["host"] = .object(host) }
        root["plugins"] = .array(file.plugins.map(encode))
        return .object(root)
    }

    package static func encode(_ entry: PluginEntry) -> JSONValue {
        var object: JSONObject = [
            "name": .string(entry.name),
            "library": .string(entry.library),
            "enabled": .bool(entry.enabled),
            "config": entry.config,
        ]
        entry.isolation.encode(into: &object)
        return .object(object)
    }

    private static func encode(_ host: HostSettings) -> JSONObject {
        let defaults = HostSettings()
        var object = JSONObject()
        if !host.owners.isEmpty { object["owners"] = .array(host.owners.map { .string(String($0)) }) }
        if !host.commandGuilds.isEmpty { object["commandGuilds"] = .array(host.commandGuilds.map { .string(String($0)) }) }
        if let directory = host.dataDirectory { object["dataDirectory"] = .string(directory) }
        if let directory = host.pluginsDirectory { object["pluginsDirectory"] = .string(directory) }
        for (key, _, path) in HostSettings.integerSettings where host[keyPath: path] != defaults[keyPath: path] {
            object[key] = .number(JSONNumber(host[keyPath: path]))
        }
        if host.logLevel != defaults.logLevel { object["logLevel"] = .string(host.logLevel) }
        return object
    }
}
