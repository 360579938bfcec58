import PluginKit
import VoiceSessionsCore

/// The host's voice events: speaking is activity; the user leaving, the bot being moved or
/// disconnected end sessions; a drained send queue moves playback on.
extension VoiceSessionsPlugin {
    func voiceEvent(_ event: VoiceEvent) {
        let guild = event.guildID
        switch event.kind {
        case .speaking:
            if event.isSpeaking, let user = event.userID { book.recordActivity(SessionKey(guildID: guild, userID: user)) }
        case .userLeft:
            if let user = event.userID { endSession(SessionKey(guildID: guild, userID: user), reason: .userLeft) }
        case .moved:
            host.log.info("the bot was moved to channel \(event.channelID.map(String.init) ?? "?") in guild \(guild)")
            endSessions(inGuild: guild, reason: .botMoved)
        case .disconnected:
            host.log.info("voice in guild \(guild) disconnected: \(event.reason)")
            encryption[guild] = nil
            endSessions(inGuild: guild, reason: .disconnected)
        case .sendDrained:
            sendQueueDrained(guild)
        case .reconnecting:
            host.log.info("voice in guild \(guild) is reconnecting: \(event.reason)")
        case .encryption:
            // Shown by /voice status, so a user can compare the privacy code with their client's.
            encryption[guild] = event.reason
        case .connected, .userJoined, .other:
            break
        }
    }
}
