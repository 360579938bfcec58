/// Users joining and leaving voice, and changing what they are playing.
extension RESTService {
    /// Moves a user into a voice channel (or out, with nil) and dispatches VOICE_STATE_UPDATE to
    /// sessions with GUILD_VOICE_STATES. Returns false for an unknown channel.
    @discardableResult
    func userMovesVoice(guildID: UInt64, channelID: UInt64?, userID: UInt64, selfMute: Bool, selfDeaf: Bool) -> Bool {
        if let channelID {
            guard let (channel, owner) = env.topology.channel(channelID), owner == guildID, channel.kind == .voice else { return false }
        }
        let user = env.topology.user(userID)
        let state = world.withLock { world -> VoiceState in
            let previous = world.members.voiceStates(in: guildID).first { $0.userID == userID }
            let state = VoiceState(
                userID: userID, channelID: channelID ?? previous?.channelID ?? 0,
                sessionID: previous?.sessionID ?? RandomTokens.sessionID(), selfMute: selfMute, selfDeaf: selfDeaf)
            world.members.setVoice(channelID == nil ? nil : state, userID: userID, guildID: guildID)
            return state
        }
        let bytes = VoicePayloads.voiceState(state, channelID: channelID, guildID: guildID, user: user).bytes
        hub.dispatch(event: "VOICE_STATE_UPDATE", target: .guild(guildID)) { session in
            session.intents & Intents.guildVoiceStates != 0 ? bytes : nil
        }
        return true
    }

    /// Sets a user's presence in a guild and dispatches PRESENCE_UPDATE to sessions with the
    /// (privileged) GUILD_PRESENCES intent.
    func userUpdatesPresence(guildID: UInt64, userID: UInt64, status: String, activities: WireJSON) {
        let presence = VoicePayloads.presence(userID: userID, guildID: guildID, status: status, activities: activities)
        world.withLock { $0.members.setPresence(presence, userID: userID, guildID: guildID) }
        let bytes = presence.bytes
        hub.dispatch(event: "PRESENCE_UPDATE", target: .guild(guildID)) { session in
            session.intents & Intents.guildPresences != 0 ? bytes : nil
        }
    }
}
