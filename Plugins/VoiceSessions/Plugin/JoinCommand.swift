import PluginKit
import PluginSupport
import VoiceSessionsCore

/// `/voice join [echo:]`: checks, in this order, that the user has no session yet, is in a voice
/// channel, has voice time left (RateLimit), that the host has voice, and that the bot is not
/// needed in another channel of the guild; then joins and starts the session.
extension VoiceSessionsPlugin {
    func join(_ interaction: Interaction) async {
        guard let key = sessionKey(of: interaction) else { return }
        if let refusal = refusalBeforeJoining(key) {
            answer(interaction, refusal)
            return
        }
        guard let channel = voiceStates.channel(of: key.userID, inGuild: key.guildID) else {
            answer(interaction, "Join a voice channel first, then use /voice join. (If you were already in one when "
                   + "the bot started, leave and rejoin it so the bot sees where you are.)")
            return
        }
        let echo = interaction.option("echo", as: Bool.self) ?? false
        guard !echo || config.allowEcho else {
            answer(interaction, "Echo is switched off on this bot (allowEcho in plugins.json); use /voice join without it.")
            return
        }
        joining[key] = channel
        defer { joining[key] = nil }

        switch await checkQuota(key) {
        case .refuse(let message):
            answer(interaction, message)
            return
        case .allowUnmetered(let why):
            host.log.warning("starting a session for \(key) without a quota check (\(why)): quota.whenUnavailable is \"allow\"")
        case .allow:
            break
        }
        guard host.voice.isAvailable else {
            answer(interaction, "Voice is not available on this bot's host: it has no voice support yet (the ABI 1.3 voice "
                   + "calls), so I cannot join a voice channel. Ask the operator to run a host with voice.")
            return
        }
        if let other = channelInUse(guild: key.guildID, excluding: key), other != channel {
            answer(interaction, "I am in <#\(other)> for other sessions in this server and can be in one voice channel "
                   + "at a time: join <#\(other)>, or wait until those sessions end.")
            return
        }
        let joined: VoiceJoin
        do {
            joined = try await host.voice.join(guild: key.guildID, channel: channel)
        } catch {
            answer(interaction, Self.joinFailure(error))
            return
        }
        guard !isStopping else { return }
        guard voiceStates.channel(of: key.userID, inGuild: key.guildID) == joined.channelID else {
            releaseVoiceIfUnused(key)
            answer(interaction, "You left <#\(joined.channelID)> while I was joining, so no session started.")
            return
        }
        let settings = AudioSettings(record: config.recording.enabled, echo: echo)
        do {
            let session = try startSession(key, voiceChannel: joined.channelID, textChannel: interaction.channelID, settings: settings)
            answer(interaction, startedText(session), ephemeral: false)
        } catch {
            releaseVoiceIfUnused(key)
            answer(interaction, "The session could not start: \(error)")
        }
    }

    /// A session the user already has, or is starting, is a refusal.
    private func refusalBeforeJoining(_ key: SessionKey) -> String? {
        if let session = book.session(key) {
            return session.isActive
                ? "You already have a voice session in <#\(session.voiceChannelID)>; /voice leave ends it."
                : "Your previous session is still closing; try again in a few seconds."
        }
        if joining[key] != nil { return "Your session is already starting." }
        return nil
    }

    /// The voice channel the guild's sessions — or a join in progress — use, if any.
    private func channelInUse(guild: UInt64, excluding key: SessionKey) -> UInt64? {
        book.channel(inGuild: guild) ?? joining.first { $0.key.guildID == guild && $0.key != key }?.value
    }

    /// After a join that did not become a session: release the hold unless others need it.
    private func releaseVoiceIfUnused(_ key: SessionKey) {
        guard !voiceNeeded(inGuild: key.guildID, besides: key) else { return }
        do {
            try host.voice.leave(guild: key.guildID)
        } catch {
            host.log.warning("could not release the voice of guild \(key.guildID): \(error)")
        }
    }

    private func startedText(_ session: VoiceSession) -> String {
        var text = "<@\(session.key.userID)>'s voice session started in <#\(session.voiceChannelID)>. It ends after "
            + "\(DurationText.compact(milliseconds: config.timing.sessionTimeoutMs)) without activity; /voice leave ends it now."
        if session.settings.record { text += " This session is recorded." }
        if session.settings.echo { text += " Echo is on: you will hear yourself." }
        return text
    }

    /// What to tell the user when the host could not join (the header's voice_join statuses).
    static func joinFailure(_ error: any Error) -> String {
        guard let error = error as? PluginError else { return "I could not join the voice channel: \(error)" }
        switch error.code {
        case .conflict: return "Another part of this bot is using voice in a different channel of this server; try again when it is done."
        case .timeout: return "Discord did not answer the voice connection in time; try again."
        case .io: return "The voice server refused or failed (\(error.message)); try again later."
        case .unsupported: return "This bot has no Discord voice connection right now, so I cannot join."
        default: return "I could not join the voice channel: \(error.message)"
        }
    }
}
