import StrictJSON

/// One feed to follow, from the plugin's `sources` list in plugins.json.
public struct SourceConfig: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        /// The OpenRA master server's game list (`/games?protocol=2&type=json`).
        case openra
        /// Any JSON list or map of sessions, read through `GenericLayout`'s key paths.
        case generic(GenericLayout)

        public var name: String {
            switch self {
            case .openra: "openra"
            case .generic: "generic"
            }
        }
    }

    /// One embed per session, or summary messages of up to `SummaryPages.sessionsPerPage` sessions.
    public enum Mode: String, Sendable, Equatable {
        case sessions, summary
    }

    /// Names the source in commands, storage and bus events: 1–32 of a-z 0-9 _ -.
    public var id: String
    /// Shown in embeds; defaults to the id.
    public var name: String
    public var url: String
    public var format: Format
    public var intervalMs: Int64 = 30_000
    public var timeoutMs: Int64 = 10_000
    /// The configured channel (more can be added with /sessions watch).
    public var channel: UInt64?
    public var filter = SessionFilter()
    public var mode = Mode.sessions
    /// Consecutive failed polls before the plugin reports the source as failing.
    public var failureThreshold = 3
    /// Larger feeds are refused (and count as a failed poll).
    public var maxBytes = 8 * 1024 * 1024

    public static let minIntervalMs: Int64 = 10_000
    public static let maxIntervalMs: Int64 = 86_400_000

    public init(id: String, name: String? = nil, url: String, format: Format, channel: UInt64? = nil) {
        self.id = id
        self.name = name ?? id
        self.url = url
        self.format = format
        self.channel = channel
    }

    static let keys = ["id", "name", "url", "format", "interval", "timeout", "channel", "filters", "mode",
                       "failureThreshold", "maxBytes", "generic"]

    static func read(from fields: JSONFields) throws(FieldError) -> SourceConfig {
        try fields.rejectUnknown(known: keys)
        guard let id = try fields.string("id") else {
            throw FieldError("id", "is missing; name the source, e.g. \"id\": \"openra\"")
        }
        guard isValidID(id) else {
            throw FieldError("id", "must be 1 to 32 of a-z 0-9 _ - (it names the source in commands and storage), got \"\(id)\"")
        }
        guard let url = try fields.string("url") else {
            throw FieldError("url", "is missing; give the feed's address, e.g. \"https://master.openra.net/games?protocol=2&type=json\"")
        }
        guard isHTTPURL(url) else {
            throw FieldError("url", "must be an absolute http:// or https:// URL, got \"\(url)\"")
        }
        let formatName = try fields.string("format") ?? "openra"
        let format: Format
        switch formatName {
        case "openra":
            guard !fields.has("generic") else {
                throw FieldError("generic", "only applies to \"format\": \"generic\"; remove it or change the format")
            }
            format = .openra
        case "generic":
            do {
                format = .generic(try GenericLayout.read(from: try fields.object("generic")))
            } catch {
                throw error.inside("generic")
            }
        default:
            throw FieldError("format", "must be \"openra\" or \"generic\", got \"\(formatName)\"")
        }
        var source = SourceConfig(id: id, name: try fields.string("name"), url: url, format: format,
                                  channel: try fields.snowflake("channel"))
        if source.name.isEmpty { source.name = id }
        if let interval = try fields.number("interval") {
            let ms = Int64((interval * 1000).rounded())
            guard (minIntervalMs...maxIntervalMs).contains(ms) else {
                throw FieldError("interval", "must be a number of seconds from 10 to 86400 (the feed is polled that often), got \(interval)")
            }
            source.intervalMs = ms
        }
        if let timeout = try fields.number("timeout") {
            let ms = Int64((timeout * 1000).rounded())
            guard (100...60_000).contains(ms) else {
                throw FieldError("timeout", "must be a number of seconds from 0.1 to 60, got \(timeout)")
            }
            source.timeoutMs = ms
        }
        do {
            source.filter = try SessionFilter.read(from: try fields.object("filters"))
        } catch {
            throw error.inside("filters")
        }
        if let mode = try fields.string("mode") {
            guard let parsed = Mode(rawValue: mode) else {
                throw FieldError("mode", "must be \"sessions\" (one embed per session) or \"summary\" (up to 10 per message), got \"\(mode)\"")
            }
            source.mode = parsed
        }
        if let threshold = try fields.integer("failureThreshold") {
            guard (1...1000).contains(threshold) else {
                throw FieldError("failureThreshold", "must be a whole number from 1 to 1000, got \(threshold)")
            }
            source.failureThreshold = Int(threshold)
        }
        if let maxBytes = try fields.integer("maxBytes") {
            guard (1024...(64 * 1024 * 1024)).contains(maxBytes) else {
                throw FieldError("maxBytes", "must be a whole number of bytes from 1024 to 67108864, got \(maxBytes)")
            }
            source.maxBytes = Int(maxBytes)
        }
        return source
    }

    static func isValidID(_ id: String) -> Bool {
        (1...32).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            rest = lower.dropFirst(7)
        } else if lower.hasPrefix("https://") {
            rest = lower.dropFirst(8)
        } else {
            return false
        }
        return !rest.isEmpty && !rest.hasPrefix("/") && !text.contains(where: { $0.isWhitespace })
    }
}
