import BotHostCore

/// What an operator asks a running host through its control socket, one JSON object per line:
///
///     {"request": "list"}                      → {"ok": true, "plugins": [<status>, …]}
///     {"request": "reload", "plugin": "NAME"}  → {"ok": true|false, "outcome": "reloaded"|"refused"|"notConfigured", …}
///
/// Every reply is one JSON object on one line with `ok` and a `message` to show a person; a request
/// that cannot be read gets `{"ok": false, "error": "…", "message": "…"}`. A status is
/// `PluginStatus.json`.
public enum ControlRequest: Sendable, Equatable {
    /// The live status of every plugin in plugins.json.
    case list
    /// Stop a plugin and start it again from its entry, with its library file as it is now.
    case reload(plugin: String)

    /// The longest request line read; a longer one is answered with an error and the connection
    /// closed (there is no telling where the next request would start).
    public static let maxLineBytes = 4096

    /// Why a request line was not understood; `description` is what the reply's error says.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Reads one request line (without its newline).
    public static func parse(_ line: [UInt8]) -> Result<ControlRequest, Malformed> {
        func malformed(_ why: String) -> Result<ControlRequest, Malformed> {
            .failure(Malformed(description: "\(why); expected {\"request\":\"list\"} or {\"request\":\"reload\",\"plugin\":\"NAME\"}"))
        }
        guard line.count <= maxLineBytes else { return malformed("the request is longer than \(maxLineBytes) bytes") }
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch { return malformed("the request is not JSON (\(error.description))") }
        guard let object = value.objectValue else { return malformed("the request is not a JSON object") }
        guard let kind = object["request"]?.stringValue else { return malformed("the request has no \"request\" string") }
        let allowed: Set<String>
        let request: ControlRequest
        switch kind {
        case "list":
            allowed = ["request"]
            request = .list
        case "reload":
            allowed = ["request", "plugin"]
            guard let plugin = object["plugin"]?.stringValue else { return malformed("\"reload\" needs a \"plugin\" string") }
            guard PluginEntry.isValidName(plugin) else {
                return malformed("\"\(ControlCharacters.escaped(String(plugin.prefix(80))))\" is not a plugin name (1–64 of a-z, 0-9, '_' and '-')")
            }
            request = .reload(plugin: plugin)
        default:
            return malformed("unknown request \"\(ControlCharacters.escaped(String(kind.prefix(80))))\"")
        }
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            return malformed("unknown key \"\(ControlCharacters.escaped(String(unknown.prefix(80))))\" in a \"\(kind)\" request")
        }
        return .success(request)
    }

    /// The request as the line a client sends (without its newline).
    public var json: JSONValue {
        switch self {
        case .list: ["request": "list"]
        case .reload(let plugin): ["request": "reload", "plugin": .string(plugin)]
        }
    }
}
