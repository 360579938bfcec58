import PluginKit
import PluginSupport
import VoiceSessionsCore

/// `/voice status`: the invoker's session, their voice time, and whether voice works here. Only the
/// invoker sees it. Using it is activity: it keeps the session alive.
extension VoiceSessionsPlugin {
    func status(_ interaction: Interaction) async {
        guard let key = sessionKey(of: interaction) else { return }
        book.recordActivity(key)
        var lines: [String] = []
        let now = host.nowMilliseconds
        if let session = book.session(key) {
            lines.append(sessionLine(session, nowMs: now))
            if session.isActive { lines.append("The call is \(encryption[key.guildID] ?? "connecting its encryption").") }
        } else if let channel = joining[key] {
            lines.append("Your voice session is starting: I am joining <#\(channel)>.")
        } else {
            lines.append("You have no voice session in this server. Use /voice join while you are in a voice channel.")
        }
        let others = book.sessions(inGuild: key.guildID).filter { $0.key != key && $0.isActive }.count
        if others > 0 { lines.append("Other sessions in this server: \(others).") }
        if !host.voice.isAvailable {
            lines.append("Voice is not available on this bot's host (no voice support yet), so sessions cannot start.")
        }
        if case .answered(let quota) = await askQuota(key) {
            lines.append(QuotaText.usage(quota, nowMs: host.nowMilliseconds))
        } else {
            lines.append("Voice time: unknown (the quota service is not answering).")
        }
        answer(interaction, lines.joined(separator: "\n"))
    }

    private func sessionLine(_ session: VoiceSession, nowMs: Int64) -> String {
        guard session.isActive else { return "Your last voice session has ended and is being cleaned up." }
        var parts = ["Your voice session is in <#\(session.voiceChannelID)>, started <t:\(session.startedAtMs / 1000):R>",
                     "it ends after \(DurationText.compact(milliseconds: (book.timeoutDeadlineMs(session.key) ?? nowMs) - nowMs)) more without activity"]
        parts.append(session.settings.record ? "it is recorded" : "it is not recorded")
        if session.settings.echo { parts.append("echo is on") }
        if let player = players[session.key.guildID] { parts.append("playing \(player.name)") }
        return parts.joined(separator: "; ") + "."
    }
}
