/// Gateway v10 constants: opcodes, close codes with Discord's reasons, intents.
enum GatewayOp {
    static let dispatch = 0
    static let heartbeat = 1
    static let identify = 2
    static let presenceUpdate = 3
    static let voiceStateUpdate = 4
    static let resume = 6
    static let reconnect = 7
    static let requestGuildMembers = 8
    static let invalidSession = 9
    static let hello = 10
    static let heartbeatACK = 11
    static let requestSoundboardSounds = 31

    /// What a client may send; anything else closes 4001.
    static let clientOps: Set<Int> = [heartbeat, identify, presenceUpdate, voiceStateUpdate, resume, requestGuildMembers, requestSoundboardSounds]
}

enum GatewayClose {
    static let unknownError: UInt16 = 4000
    static let unknownOpcode: UInt16 = 4001
    static let decodeError: UInt16 = 4002
    static let notAuthenticated: UInt16 = 4003
    static let authenticationFailed: UInt16 = 4004
    static let alreadyAuthenticated: UInt16 = 4005
    static let invalidSeq: UInt16 = 4007
    static let rateLimited: UInt16 = 4008
    static let sessionTimedOut: UInt16 = 4009
    static let invalidShard: UInt16 = 4010
    static let shardingRequired: UInt16 = 4011
    static let invalidAPIVersion: UInt16 = 4012
    static let invalidIntents: UInt16 = 4013
    static let disallowedIntents: UInt16 = 4014

    static func reason(_ code: UInt16) -> String {
        switch code {
        case 4000: "Unknown error."
        case 4001: "Unknown opcode."
        case 4002: "Decode error."
        case 4003: "Not authenticated."
        case 4004: "Authentication failed."
        case 4005: "Already authenticated."
        case 4007: "Invalid seq."
        case 4008: "Rate limited."
        case 4009: "Session timed out."
        case 4010: "Invalid shard."
        case 4011: "Sharding required."
        case 4012: "Invalid API version."
        case 4013: "Invalid intent(s)."
        case 4014: "Disallowed intent(s)."
        default: ""
        }
    }

    /// Closing with these ends the session: the client must identify anew (or stop).
    static func endsSession(_ code: UInt16) -> Bool {
        [authenticationFailed, invalidSeq, sessionTimedOut, invalidShard, shardingRequired, invalidAPIVersion, invalidIntents, disallowedIntents]
            .contains(code)
    }
}

enum Intents {
    static let guilds: UInt64 = 1 << 0
    static let guildMembers: UInt64 = 1 << 1
    static let guildVoiceStates: UInt64 = 1 << 7
    static let guildPresences: UInt64 = 1 << 8
    static let guildMessages: UInt64 = 1 << 9
    static let directMessages: UInt64 = 1 << 12
    static let messageContent: UInt64 = 1 << 15
    static let privileged: UInt64 = guildMembers | guildPresences | messageContent
    /// Every defined intent bit; others close 4013.
    static let all: UInt64 = 0x1_FFFF | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25)

    /// Application flags that say which privileged intents are granted (the *_LIMITED variants,
    /// as for a bot in fewer than 100 servers).
    static func applicationFlags(allowed: UInt64) -> Int64 {
        var flags: Int64 = 0
        if allowed & guildPresences != 0 { flags |= 1 << 13 }
        if allowed & guildMembers != 0 { flags |= 1 << 15 }
        if allowed & messageContent != 0 { flags |= 1 << 19 }
        return flags
    }
}

/// Limits the gateway enforces on clients.
enum GatewayLimits {
    static let maxPayloadBytes = 4096
    static let payloadsPerWindow = 120
    static let payloadWindowMs: Int64 = 60_000
    static let identifyIntervalMs: Int64 = 5_000
    static let maxGuildsPerShard = 2500
    static let sessionStartTotal = 1000
    static let sessionStartWindowMs: Int64 = 86_400_000
    /// Events kept per session for RESUME; a resume from further back is refused.
    static let replayBufferSize = 10_000
}
