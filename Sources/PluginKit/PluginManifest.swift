/// What a plugin declares about itself; it fills the descriptor the host reads.
public struct PluginManifest: Sendable {
    /// Unique per host; `[a-z0-9_-]`, 1–64 characters; must match the plugins.json entry.
    public var name: String
    /// Semantic version recommended.
    public var version: String
    /// One line.
    public var description: String
    /// The gateway intents the plugin needs (the host ORs every plugin's).
    public var intents: GatewayIntents
    /// The lowest host ABI minor the plugin needs (the descriptor's `abi_minor`, ABI rule 2): by
    /// default the minor PluginKit was built with. Lower it to run on older hosts; what a newer
    /// minor added is then optional — check `host.discord.isAvailable`, `host.voice.isAvailable`,
    /// or catch the `.unsupported` error a missing call throws. Values above PluginKit's own
    /// minor are lowered to it (PluginKit cannot use what it does not know).
    public var requiredABIMinor: UInt32
    /// Names the plugin owns besides its own (the descriptor's `owned_names`, ABI minor 4): bus
    /// topics at and under each name, and the slash command of that name, are then the plugin's
    /// alone — e.g. `["voice"]` for a plugin that publishes `voice.session.*` and registers `/voice`.
    public var ownedNames: [String]

    public init(name: String, version: String, description: String, intents: GatewayIntents = [],
                ownedNames: [String] = [], requiredABIMinor: UInt32 = UInt32(BOTHOST_ABI_MINOR)) {
        self.name = name
        self.version = version
        self.description = description
        self.intents = intents
        self.ownedNames = ownedNames
        self.requiredABIMinor = min(requiredABIMinor, UInt32(BOTHOST_ABI_MINOR))
    }
}

/// Discord gateway intents (bit positions as Discord defines them).
public struct GatewayIntents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let guilds = GatewayIntents(rawValue: 1 << 0)
    public static let guildMembers = GatewayIntents(rawValue: 1 << 1)  // privileged
    public static let guildModeration = GatewayIntents(rawValue: 1 << 2)
    public static let guildExpressions = GatewayIntents(rawValue: 1 << 3)
    public static let guildIntegrations = GatewayIntents(rawValue: 1 << 4)
    public static let guildWebhooks = GatewayIntents(rawValue: 1 << 5)
    public static let guildInvites = GatewayIntents(rawValue: 1 << 6)
    public static let guildVoiceStates = GatewayIntents(rawValue: 1 << 7)
    public static let guildPresences = GatewayIntents(rawValue: 1 << 8)  // privileged
    public static let guildMessages = GatewayIntents(rawValue: 1 << 9)
    public static let guildMessageReactions = GatewayIntents(rawValue: 1 << 10)
    public static let guildMessageTyping = GatewayIntents(rawValue: 1 << 11)
    public static let directMessages = GatewayIntents(rawValue: 1 << 12)
    public static let directMessageReactions = GatewayIntents(rawValue: 1 << 13)
    public static let directMessageTyping = GatewayIntents(rawValue: 1 << 14)
    public static let messageContent = GatewayIntents(rawValue: 1 << 15)  // privileged
    public static let guildScheduledEvents = GatewayIntents(rawValue: 1 << 16)
    public static let autoModerationConfiguration = GatewayIntents(rawValue: 1 << 20)
    public static let autoModerationExecution = GatewayIntents(rawValue: 1 << 21)
    public static let guildMessagePolls = GatewayIntents(rawValue: 1 << 24)
    public static let directMessagePolls = GatewayIntents(rawValue: 1 << 25)
}
