/// The main gateway's side of voice: op 4 Voice State Update from the bot, server-side moves
/// and reallocations, and the VOICE_STATE_UPDATE / VOICE_SERVER_UPDATE dispatches they cause.
extension GatewayHub {
    /// op 4 `{guild_id, channel_id|null, self_mute, self_deaf}`. Malformed → 4002; a guild the
    /// bot is not in, or a channel that is not a voice channel of it, is ignored, as Discord does.
    func voiceStateUpdate(_ state: inout GatewayHubState, connectionID: Int, sessionID: String, _ d: WireJSON) {
        let channelField = d["channel_id"]
        let channelID = channelField?.snowflake
        guard d.objectMembers != nil, let guildID = d["guild_id"]?.snowflake, let channelField,
              channelField.isNull || channelID != nil,
              let selfMute = d["self_mute"]?.boolValue, let selfDeaf = d["self_deaf"]?.boolValue else {
            return close(&state, connectionID, code: GatewayClose.decodeError)
        }
        voice.recordStateRequest(RecordedVoiceStateRequest(
            gatewaySessionID: sessionID, shard: state.sessions[sessionID]?.shard ?? 0, guildID: guildID, channelID: channelID,
            selfMute: selfMute, selfDeaf: selfDeaf, json: d.text, timeMs: env.clock.nowMs()))
        guard env.topology.guild(guildID) != nil else { return }
        if let channelID {
            guard let (channel, owner) = env.topology.channel(channelID), owner == guildID, channel.kind == .voice else { return }
        }
        moveBot(&state, guildID: guildID, channelID: channelID, selfMute: selfMute, selfDeaf: selfDeaf)
    }

    /// Puts the bot in `channelID` (nil: out of voice) as Discord would after an op 4 or a
    /// moderator's action. Returns false when nothing changed (leaving while not in voice).
    @discardableResult
    func moveBot(_ state: inout GatewayHubState, guildID: UInt64, channelID: UInt64?, selfMute: Bool, selfDeaf: Bool) -> Bool {
        guard let outcome = voice.changeBotVoice(guildID: guildID, channelID: channelID, selfMute: selfMute, selfDeaf: selfDeaf) else {
            return false
        }
        let botID = env.topology.botUser.id
        world.withLock { $0.members.setVoice(channelID == nil ? nil : outcome.voiceState, userID: botID, guildID: guildID) }
        let stateUpdate = VoicePayloads.voiceState(
            outcome.voiceState, channelID: channelID, guildID: guildID, user: env.topology.botUser).bytes
        dispatch(&state, event: "VOICE_STATE_UPDATE", target: .guild(guildID)) { session in
            session.intents & Intents.guildVoiceStates != 0 ? stateUpdate : nil
        }
        dispatchServerUpdates(&state, guildID: guildID, outcome.serverUpdates)
        if let superseded = outcome.superseded { voice.closeSuperseded(superseded) }
        return true
    }

    /// The bot's current voice settings in a guild, for moves that keep them.
    func botVoiceSettings(guildID: UInt64) -> (channelID: UInt64, selfMute: Bool, selfDeaf: Bool)? {
        let botID = env.topology.botUser.id
        return world.withLock { $0.members.voiceStates(in: guildID) }.first { $0.userID == botID }
            .map { ($0.channelID, $0.selfMute, $0.selfDeaf) }
    }

    /// A voice server reallocation: endpoint null, then a new token; the old connection gets 4014.
    func reallocateVoice(_ state: inout GatewayHubState, guildID: UInt64?) -> Int {
        let changes = voice.reallocate(guildID: guildID)
        for change in changes {
            dispatchServerUpdates(&state, guildID: change.guildID, change.updates)
            voice.closeSuperseded(change.superseded)
        }
        return changes.count
    }

    private func dispatchServerUpdates(_ state: inout GatewayHubState, guildID: UInt64, _ updates: [WireJSON]) {
        for update in updates {
            let bytes = update.bytes
            dispatch(&state, event: "VOICE_SERVER_UPDATE", target: .guild(guildID)) { _ in bytes }
        }
    }
}
