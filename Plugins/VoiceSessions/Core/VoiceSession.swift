/// Whose session: one per user and guild.
public struct SessionKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let guildID: UInt64
    public let userID: UInt64

    public init(guildID: UInt64, userID: UInt64) {
        self.guildID = guildID
        self.userID = userID
    }

    public static func < (lhs: SessionKey, rhs: SessionKey) -> Bool {
        (lhs.guildID, lhs.userID) < (rhs.guildID, rhs.userID)
    }

    public var description: String { "user \(userID) in guild \(guildID)" }
}

/// What a session does with audio, chosen when it starts.
public struct AudioSettings: Sendable, Equatable {
    /// Record the user to an Ogg Opus file (only when the operator enabled recording).
    public var record: Bool
    /// Send the user's own audio back to them, to check a setup.
    public var echo: Bool

    public init(record: Bool = false, echo: Bool = false) {
        self.record = record
        self.echo = echo
    }
}

/// Why a session ended; the `reason` of `voice.session.ended`.
public enum EndReason: String, Sendable, Equatable {
    /// `/voice leave`.
    case command
    /// No activity for `sessionTimeout`.
    case timeout
    /// The user left the voice channel, or moved to another one.
    case userLeft = "user_left"
    /// Someone moved the bot to another channel.
    case botMoved = "bot_moved"
    /// The bot was disconnected from voice, or the connection failed for good.
    case disconnected
    /// The user's voice quota ran out while the session ran.
    case quota
    /// The plugin is stopping (disabled, reloaded, or the host shuts down).
    case pluginStopping = "plugin_stopping"
}

/// One user's voice session: where it is, where its messages go, what it does, and when the user
/// was last active.
public struct VoiceSession: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case active
        /// Ended, waiting for its cleanup (after `cleanupDelay`).
        case ending(EndReason)
    }

    public let key: SessionKey
    public let voiceChannelID: UInt64
    /// Where the session's messages (timeouts, refusals) are posted: the channel of `/voice join`.
    public let textChannelID: UInt64
    public let settings: AudioSettings
    public let startedAtMs: Int64
    public internal(set) var lastActivityMs: Int64
    /// Voice time up to here has been handed out for reporting to the quota.
    public internal(set) var reportedUntilMs: Int64
    public internal(set) var phase = Phase.active
    public internal(set) var endedAtMs: Int64?

    public init(key: SessionKey, voiceChannelID: UInt64, textChannelID: UInt64, settings: AudioSettings, startedAtMs: Int64) {
        self.key = key
        self.voiceChannelID = voiceChannelID
        self.textChannelID = textChannelID
        self.settings = settings
        self.startedAtMs = startedAtMs
        self.lastActivityMs = startedAtMs
        self.reportedUntilMs = startedAtMs
    }

    public var isActive: Bool { phase == .active }

    /// How long it ran (so far, or until it ended).
    public func durationMs(nowMs: Int64) -> Int64 {
        max(0, (endedAtMs ?? nowMs) - startedAtMs)
    }
}
