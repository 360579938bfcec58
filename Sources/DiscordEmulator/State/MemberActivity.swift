/// Who sits in which voice channel and what people are doing: the parts of a guild that
/// GUILD_CREATE reports and that VOICE_STATE_UPDATE / PRESENCE_UPDATE change.
struct VoiceState: Sendable, Equatable {
    var userID: UInt64
    var channelID: UInt64
    var sessionID: String
    var selfMute: Bool
    var selfDeaf: Bool
}

struct MemberActivity: Sendable {
    private(set) var voice: [UInt64: [UInt64: VoiceState]] = [:]
    /// Presence objects by guild and user, as PRESENCE_UPDATE carries them.
    private(set) var presences: [UInt64: [UInt64: WireJSON]] = [:]

    mutating func setVoice(_ state: VoiceState?, userID: UInt64, guildID: UInt64) {
        voice[guildID, default: [:]][userID] = state
    }

    mutating func setPresence(_ presence: WireJSON, userID: UInt64, guildID: UInt64) {
        presences[guildID, default: [:]][userID] = presence
    }

    func voiceStates(in guildID: UInt64) -> [VoiceState] {
        (voice[guildID] ?? [:]).values.sorted { $0.userID < $1.userID }
    }

    func presences(in guildID: UInt64) -> [WireJSON] {
        (presences[guildID] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }
}
