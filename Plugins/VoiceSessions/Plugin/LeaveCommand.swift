import PluginKit
import PluginSupport
import VoiceSessionsCore

/// `/voice leave`: ends the invoker's session now (its cleanup follows after `cleanupDelay`).
extension VoiceSessionsPlugin {
    func leave(_ interaction: Interaction) {
        guard let key = sessionKey(of: interaction) else { return }
        guard let session = book.session(key), session.isActive else {
            answer(interaction, "You have no voice session in this server.")
            return
        }
        endSession(key, reason: .command)
        let duration = DurationText.compact(milliseconds: session.durationMs(nowMs: host.nowMilliseconds))
        answer(interaction, "<@\(key.userID)>'s voice session in <#\(session.voiceChannelID)> ended after \(duration).", ephemeral: false)
    }
}
