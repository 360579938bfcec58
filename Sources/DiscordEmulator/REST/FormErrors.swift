/// Collects validation failures by field path and renders Discord's nested `errors` object:
/// `{"embeds": {"0": {"title": {"_errors": [{"code": …, "message": …}]}}}}`.
struct FormErrors: Sendable {
    private var entries: [(path: [String], code: String, message: String)] = []

    var isEmpty: Bool { entries.isEmpty }

    mutating func add(_ path: [String], _ code: String, _ message: String) {
        entries.append((path, code, message))
    }

    static func entry(_ code: String, _ message: String) -> WireJSON {
        ["code": .string(code), "message": .string(message)]
    }

    var json: WireJSON {
        var root: WireJSON = .object([])
        for entry in entries { root = Self.insert(entry, at: entry.path[...], into: root) }
        return root
    }

    var response: RESTResponse { DiscordErrors.invalidFormBody(json) }

    private static func insert(_ entry: (path: [String], code: String, message: String), at path: ArraySlice<String>, into node: WireJSON) -> WireJSON {
        guard let key = path.first else {
            let existing = node["_errors"]?.arrayValue ?? []
            return node.setting("_errors", .array(existing + [Self.entry(entry.code, entry.message)]))
        }
        let child = node[key] ?? .object([])
        return node.setting(key, insert(entry, at: path.dropFirst(), into: child))
    }

    // Discord's wording for the common checks.
    mutating func maxLength(_ path: [String], _ limit: Int) {
        add(path, "BASE_TYPE_MAX_LENGTH", "Must be \(limit) or fewer in length.")
    }

    mutating func badLength(_ path: [String], _ min: Int, _ max: Int) {
        add(path, "BASE_TYPE_BAD_LENGTH", "Must be between \(min) and \(max) in length.")
    }

    mutating func required(_ path: [String]) {
        add(path, "BASE_TYPE_REQUIRED", "This field is required")
    }

    mutating func notString(_ path: [String], _ value: WireJSON) {
        add(path, "STRING_TYPE_CONVERT", "Could not interpret \"\(value.text)\" as string.")
    }
}
