/// Voice state and presence objects.
enum VoicePayloads {
    /// VOICE_STATE_UPDATE's `d`, or an entry of GUILD_CREATE's `voice_states` (`inGuildCreate`
    /// leaves out the guild id and member, as Discord does there).
    static func voiceState(_ state: VoiceState, channelID: UInt64?, guildID: UInt64, user: EmulatedUser, inGuildCreate: Bool = false) -> WireJSON {
        var object: WireJSON = [:]
        if !inGuildCreate { object = object.setting("member", UserPayloads.member(user)) }
        object = object
            .setting("user_id", .snowflake(state.userID))
            .setting("suppress", false)
            .setting("session_id", .string(state.sessionID))
            .setting("self_video", false)
            .setting("self_mute", .bool(state.selfMute))
            .setting("self_deaf", .bool(state.selfDeaf))
            .setting("request_to_speak_timestamp", nil)
            .setting("mute", false)
        if !inGuildCreate { object = object.setting("guild_id", .snowflake(guildID)) }
        return object.setting("deaf", false).setting("channel_id", .optionalSnowflake(channelID))
    }

    static func presence(userID: UInt64, guildID: UInt64, status: String, activities: WireJSON) -> WireJSON {
        let platformStatus: WireJSON = status == "offline" ? [:] : ["desktop": .string(status)]
        return [
            "user": ["id": .snowflake(userID)],
            "status": .string(status),
            "guild_id": .snowflake(guildID),
            "client_status": platformStatus,
            "broadcast": nil,
            "activities": activities,
        ]
    }
}
