/// Voice, as Discord and its users would drive it: users speaking to the bot, moderators moving
/// or disconnecting it.
extension DiscordEmulator {
    /// A simulated user speaks in the bot's voice channel: op 5 Speaking `{user_id, ssrc,
    /// speaking}` goes to the bot's voice session, then the audio as 20 ms Opus frames in RTP,
    /// sealed with the session's key and mode, to the UDP address the bot selected, followed by
    /// the silence frames. The user must be in the bot's channel (`userJoinsVoice`). Returns
    /// once the last packet is sent (about 20 ms per packet with `.realTime` pacing).
    @discardableResult
    public func userSpeaks(
        userID: UInt64 = 3000, guildID: UInt64 = 2000, audio: VoiceSpeechAudio, options: VoiceSpeechOptions = .init()
    ) async throws -> VoiceSpeechReport {
        try await VoiceSpeechSender.speak(hub: hub.voice, guildID: guildID, userID: userID, audio: audio, options: options)
    }

    /// A moderator drags the bot into another voice channel: VOICE_STATE_UPDATE, a
    /// VOICE_SERVER_UPDATE with a new token, and 4014 on the old voice connection. False when the
    /// bot is not in voice in that guild or the channel is not one of its voice channels.
    @discardableResult
    public func moderatorMovesBot(guildID: UInt64 = 2000, toChannelID channelID: UInt64) -> Bool {
        guard let (channel, owner) = env.topology.channel(channelID), owner == guildID, channel.kind == .voice else { return false }
        return hub.state.withLock { state in
            guard let current = hub.botVoiceSettings(guildID: guildID) else { return false }
            return hub.moveBot(&state, guildID: guildID, channelID: channelID, selfMute: current.selfMute, selfDeaf: current.selfDeaf)
        }
    }

    /// A moderator disconnects the bot from voice: VOICE_STATE_UPDATE with `channel_id: null`
    /// and 4014 on its voice connection. False when it was not in voice there.
    @discardableResult
    public func moderatorDisconnectsBot(guildID: UInt64 = 2000) -> Bool {
        hub.state.withLock { state in
            hub.moveBot(&state, guildID: guildID, channelID: nil, selfMute: false, selfDeaf: false)
        }
    }
}
