/// The bot joining, moving, leaving and being reallocated: which voice session is current, and
/// what the main gateway must dispatch about it. The gateway hub does the dispatching (it holds
/// its own lock around these calls), then asks for the superseded connection to be closed.
extension VoiceHub {
    struct BotVoiceOutcome {
        /// The bot's voice state for VOICE_STATE_UPDATE; `channelID` nil means it left.
        var voiceState: VoiceState
        var channelID: UInt64?
        /// VOICE_SERVER_UPDATE `d`s, in order.
        var serverUpdates: [WireJSON] = []
        /// The session this change ended; its connection is closed with 4014 afterwards.
        var superseded: Int?
    }

    /// Applies an op 4 (or a moderator's move). nil when there is nothing to tell: leaving while
    /// not in voice.
    func changeBotVoice(guildID: UInt64, channelID: UInt64?, selfMute: Bool, selfDeaf: Bool) -> BotVoiceOutcome? {
        let userID = env.configuration.botUserID
        let endpoint = endpoint
        return state.withLock { state -> BotVoiceOutcome? in
            let current = state.currentSession(guildID: guildID)
            guard let channelID else {
                guard let current else { return nil }
                end(&state, current.id)
                let left = VoiceState(userID: userID, channelID: current.channelID, sessionID: current.stateSessionID, selfMute: selfMute, selfDeaf: selfDeaf)
                return BotVoiceOutcome(voiceState: left, channelID: nil, superseded: current.id)
            }
            // Same channel, session still usable: only mute/deaf change, no new token.
            if let current, current.channelID == channelID, !current.wasTerminated {
                state.sessions[current.id]?.selfMute = selfMute
                state.sessions[current.id]?.selfDeaf = selfDeaf
                let same = VoiceState(userID: userID, channelID: channelID, sessionID: current.stateSessionID, selfMute: selfMute, selfDeaf: selfDeaf)
                return BotVoiceOutcome(voiceState: same, channelID: channelID)
            }
            if let current { end(&state, current.id) }
            let key = startSession(
                &state, guildID: guildID, channelID: channelID, userID: userID, stateSessionID: RandomTokens.sessionID(),
                selfMute: selfMute, selfDeaf: selfDeaf, endpoint: endpoint)
            guard let session = state.sessions[key] else { return nil }
            var updates: [WireJSON] = []
            if configuration.nullEndpointBeforeServerUpdate {
                updates.append(VoiceGatewayPayloads.voiceServerUpdate(token: session.token, guildID: guildID, endpoint: nil))
            }
            updates.append(VoiceGatewayPayloads.voiceServerUpdate(token: session.token, guildID: guildID, endpoint: endpoint))
            let joined = VoiceState(userID: userID, channelID: channelID, sessionID: session.stateSessionID, selfMute: selfMute, selfDeaf: selfDeaf)
            return BotVoiceOutcome(voiceState: joined, channelID: channelID, serverUpdates: updates, superseded: current?.id)
        }
    }

    /// The voice server is replaced: VOICE_SERVER_UPDATE with a null endpoint, then one with a
    /// new token (same channel, same voice state). Returns per guild the updates and the
    /// superseded session.
    func reallocate(guildID: UInt64?) -> [(guildID: UInt64, updates: [WireJSON], superseded: Int)] {
        let endpoint = endpoint
        return state.withLock { state in
            state.currentSessionByGuild.keys.sorted().filter { guildID == nil || $0 == guildID }.compactMap { guild in
                guard let old = state.currentSession(guildID: guild) else { return nil }
                end(&state, old.id)
                let key = startSession(
                    &state, guildID: guild, channelID: old.channelID, userID: old.userID, stateSessionID: old.stateSessionID,
                    selfMute: old.selfMute, selfDeaf: old.selfDeaf, endpoint: endpoint)
                guard let token = state.sessions[key]?.token else { return nil }
                let updates = [
                    VoiceGatewayPayloads.voiceServerUpdate(token: old.token, guildID: guild, endpoint: nil),
                    VoiceGatewayPayloads.voiceServerUpdate(token: token, guildID: guild, endpoint: endpoint),
                ]
                return (guild, updates, old.id)
            }
        }
    }

    /// Closes the connection of a session that a join, move, leave or reallocation ended.
    func closeSuperseded(_ key: Int) {
        state.withLock { state in
            guard let connectionID = state.sessions[key]?.connectionID else { return }
            close(&state, connectionID, code: VoiceClose.disconnected)
        }
    }

    func recordStateRequest(_ request: RecordedVoiceStateRequest) {
        state.withLock { state in
            if state.stateRequests.count >= VoiceLimits.frameRecordCap { state.stateRequests.removeFirst(VoiceLimits.frameRecordCap / 10) }
            state.stateRequests.append(request)
        }
    }

    private func startSession(
        _ state: inout VoiceHubState, guildID: UInt64, channelID: UInt64, userID: UInt64, stateSessionID: String,
        selfMute: Bool, selfDeaf: Bool, endpoint: String
    ) -> Int {
        let key = state.nextSessionID
        state.nextSessionID += 1
        state.sessions[key] = VoiceSession(
            id: key, guildID: guildID, channelID: channelID, userID: userID, stateSessionID: stateSessionID,
            token: RandomTokens.voiceToken(), endpoint: endpoint, selfMute: selfMute, selfDeaf: selfDeaf)
        state.currentSessionByGuild[guildID] = key
        return key
    }

    /// The token stops working; the connection (if any) is closed by `closeSuperseded`.
    private func end(_ state: inout VoiceHubState, _ key: Int) {
        state.sessions[key]?.current = false
        if let guildID = state.sessions[key]?.guildID, state.currentSessionByGuild[guildID] == key {
            state.currentSessionByGuild[guildID] = nil
        }
    }
}
