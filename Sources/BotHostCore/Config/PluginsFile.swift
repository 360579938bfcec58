import BotHostJSON
/// plugins.json as the host uses it: host settings and the configured plugins, in file order.
/// `PluginsFileLoader` builds it (validating everything) and renders it back.
public struct PluginsFile: Sendable, Equatable {
    public var host: HostSettings
    public var plugins: [PluginEntry]

    public init(host: HostSettings = HostSettings(), plugins: [PluginEntry] = []) {
        self.host = host
        self.plugins = plugins
    }
}

/// One entry of the "plugins" array.
public struct PluginEntry: Sendable, Equatable {
    /// Unique in the file; also the plugin's storage namespace. Matches `^[a-z0-9_-]{1,64}$`.
    public var name: String
    /// A file name resolved in the plugins folder (e.g. `libRateLimit.so`), or a path.
    public var library: String
    public var enabled: Bool
    /// Always an object; `{}` when the file has none.
    public var config: JSONValue
    /// In the host process (the default) or in a supervised child process.
    public var isolation: PluginIsolation

    public init(name: String, library: String, enabled: Bool = true, config: JSONValue = .object(JSONObject()),
                isolation: PluginIsolation = PluginIsolation()) {
        self.name = name
        self.library = library
        self.enabled = enabled
        self.config = config
        self.isolation = isolation
    }

    /// The config as compact JSON text: what the plugin receives from config_get.
    public var configJSON: String { config.compactText }

    /// Whether `name` is a valid plugin name: 1 to 64 of a-z, 0-9, '_' and '-'.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        return (1...64).contains(bytes.count) && bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

/// The "host" section. Paths are kept as written; relative ones resolve against the folder of
/// plugins.json (see the CLI's layout), so moving the folder keeps working.
public struct HostSettings: Sendable, Equatable {
    /// Discord user ids allowed to run owner-only commands. Written as strings of digits in JSON
    /// (numbers are accepted too).
    public var owners: [UInt64] = []
    /// Guilds whose slash commands are synced per guild (instant updates while developing);
    /// empty means global commands.
    public var commandGuilds: [UInt64] = []
    public var dataDirectory: String? = nil
    public var pluginsDirectory: String? = nil
    /// A callback running longer than this is reported as an overrun.
    public var callbackBudgetMs: Int = 1000
    /// Each cleanup hook gets this long when a plugin stops.
    public var cleanupDeadlineMs: Int = 5000
    /// The bound on each plugin's queue of pending callbacks.
    public var busQueueCapacity: Int = 65536
    /// The bound on the bytes (topics and payloads) of the bus messages waiting in one plugin's
    /// queue: a stalled subscriber cannot make the host hold more than this for it.
    public var busQueueCapacityBytes: Int = 64 * 1024 * 1024
    /// Stop a plugin after this many overrunning callbacks; 0 = never.
    public var maxOverruns: Int = 0
    /// trace, debug, info, warning or error.
    public var logLevel: String = "info"
    /// How many registrations of each kind one plugin may hold at once.
    public var limits = RegistrationLimits()

    public init(owners: [UInt64] = [], dataDirectory: String? = nil, pluginsDirectory: String? = nil,
                callbackBudgetMs: Int = 1000, cleanupDeadlineMs: Int = 5000, busQueueCapacity: Int = 65536,
                maxOverruns: Int = 0, logLevel: String = "info") {
        self.owners = owners
        self.dataDirectory = dataDirectory
        self.pluginsDirectory = pluginsDirectory
        self.callbackBudgetMs = callbackBudgetMs
        self.cleanupDeadlineMs = cleanupDeadlineMs
        self.busQueueCapacity = busQueueCapacity
        self.maxOverruns = maxOverruns
        self.logLevel = logLevel
    }

    public static let logLevels = ["trace", "debug", "info", "warning", "error"]

    /// The integer settings: JSON key, allowed range (the loader enforces it) and where it lives.
    package static let integerSettings: [(key: String, range: ClosedRange<Int>, path: WritableKeyPath<HostSettings, Int> & Sendable)] = [
        ("callbackBudgetMs", 1...600_000, \.callbackBudgetMs),
        ("cleanupDeadlineMs", 1...600_000, \.cleanupDeadlineMs),
        ("busQueueCapacity", 16...16_777_216, \.busQueueCapacity),
        ("busQueueCapacityBytes", 1_048_576...68_719_476_736, \.busQueueCapacityBytes),
        ("maxOverruns", 0...1_000_000, \.maxOverruns),
        ("maxTimers", 1...10_000_000, \.limits.timers),
        ("maxSubscriptions", 1...10_000_000, \.limits.subscriptions),
        ("maxServices", 1...10_000_000, \.limits.services),
        ("maxCommands", 1...10_000_000, \.limits.commands),
        ("maxCleanupHooks", 1...10_000_000, \.limits.cleanupHooks),
        ("maxPendingCalls", 1...10_000_000, \.limits.pendingCalls),
    ]
}
