/// What the emulated Discord looks like: one bot application, its guilds, and the limits the
/// gateway and REST enforce.
public struct EmulatorConfiguration: Sendable {
    /// REST needs `Authorization: Bot <token>`; identify/resume with another token closes 4004.
    public var token = "sandbox-token"
    public var applicationID: UInt64 = 1000
    public var botUserID: UInt64 = 1001
    public var botUsername = "sandbox-bot"
    public var guilds: [EmulatedGuild] = [.sandbox]
    /// Further generated guilds (small, one text channel each), for large-READY and sharding tests.
    public var extraGuildCount = 0
    /// The `shards` value GET /gateway/bot recommends.
    public var shardCount = 1
    public var maxConcurrency = 1
    /// `session_start_limit.remaining` before the first identify; each identify spends one.
    public var sessionStartRemaining = 1000
    public var heartbeatIntervalMs = 41_250
    /// Privileged intents (GUILD_MEMBERS 1<<1, GUILD_PRESENCES 1<<8, MESSAGE_CONTENT 1<<15) the
    /// application has been granted; asking for any other privileged intent closes 4014.
    public var privilegedIntentsAllowed: UInt64 = 0
    /// How long a disconnected session can still be resumed.
    public var resumeWindowMs: Int64 = 5 * 60 * 1000
    /// Keep every gateway frame for `gatewayEvents`. Tests read them; a long benchmark stream turns
    /// this off so the emulator's memory stays flat.
    public var recordsGatewayFrames = true
    /// The voice side: voice gateway timing, offered encryption modes, DAVE, reallocation.
    public var voice = EmulatorVoiceConfiguration()

    public init() {}
}

public struct EmulatedGuild: Sendable, Equatable {
    public var id: UInt64
    public var name: String
    public var channels: [EmulatedChannel]
    public var members: [EmulatedUser]
    public var ownerID: UInt64?

    public init(id: UInt64, name: String, channels: [EmulatedChannel], members: [EmulatedUser], ownerID: UInt64? = nil) {
        self.id = id
        self.name = name
        self.channels = channels
        self.members = members
        self.ownerID = ownerID
    }

    /// Guild 2000 "Sandbox": text channel 2001 "general", voice channel 2002 "Lounge", user 3000.
    public static let sandbox = EmulatedGuild(
        id: 2000,
        name: "Sandbox",
        channels: [
            EmulatedChannel(id: 2001, name: "general", kind: .text),
            EmulatedChannel(id: 2002, name: "Lounge", kind: .voice),
        ],
        members: [EmulatedUser(id: 3000, username: "sandbox-user")],
        ownerID: 3000
    )
}

public struct EmulatedChannel: Sendable, Equatable {
    public enum Kind: Int, Sendable {
        case text = 0
        case voice = 2
    }

    public var id: UInt64
    public var name: String
    public var kind: Kind

    public init(id: UInt64, name: String, kind: Kind) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}

public struct EmulatedUser: Sendable, Equatable {
    public var id: UInt64
    public var username: String
    public var isBot: Bool

    public init(id: UInt64, username: String, isBot: Bool = false) {
        self.id = id
        self.username = username
        self.isBot = isBot
    }
}

extension EmulatorConfiguration {
    /// The configured guilds followed by the generated ones. Generated ids are spread over the
    /// snowflake timestamp bits so `(id >> 22) % shards` distributes them across shards.
    var allGuilds: [EmulatedGuild] {
        guard extraGuildCount > 0 else { return guilds }
        let generated = (0..<extraGuildCount).map { index -> EmulatedGuild in
            let id = (UInt64(1_000_000 + index) << 22) | 0x2A
            return EmulatedGuild(
                id: id,
                name: "Guild \(index + 1)",
                channels: [EmulatedChannel(id: id + 1, name: "general", kind: .text)],
                members: []
            )
        }
        return guilds + generated
    }
}
