import PluginKit
import PluginSupport

/// `/usage` (anyone: their own voice usage) and `/ratelimit reset user:` (administrators).
/// Both answer ephemerally: usage is personal, and a refusal concerns only the one who asked.
extension RateLimitPlugin {
    func registerCommands() throws {
        let usage = CommandDefinition(name: "usage", description: "Your voice usage: time used, time left, next reset")
        try host.commands.register(usage) { interaction in self.showUsage(interaction) }

        let reset = CommandOption(.subcommand, "reset", "Reset a user's voice usage (administrators)",
                                  options: [.user("user", "Whose usage to reset", required: true)])
        let admin = CommandDefinition(name: "ratelimit", description: "Rate-limit administration", options: [reset])
        try host.commands.register(admin) { interaction in self.administer(interaction) }
    }

    private func showUsage(_ interaction: Interaction) {
        let now = host.nowMilliseconds
        let key: String
        do {
            key = try ledger.key(userId: String(interaction.userID), guildId: interaction.guildID.map { String($0) })
        } catch {
            answer(interaction, "Voice usage is counted per server: use /usage in a server.")
            return
        }
        let status = ledger.status(of: key, nowMs: now)
        let limit = DurationText.compact(milliseconds: status.limitMs)
        let resets = "<t:\(status.resetsAtMs / 1000):R> (in \(DurationText.compact(milliseconds: status.resetsAtMs - now)))"
        let text: String
        if status.usedMs == 0 {
            text = "You have used no voice time: you have \(limit), counted from your first use, "
                + "and usage resets \(DurationText.compact(milliseconds: config.voice.resetTimeMs)) after it."
        } else if status.allowed {
            text = "You have used \(DurationText.compact(milliseconds: status.usedMs)) of \(limit) of voice time; "
                + "\(DurationText.compact(milliseconds: status.remainingMs)) left. Usage resets \(resets)."
        } else {
            text = "You have used all \(limit) of your voice time. Usage resets \(resets)."
        }
        answer(interaction, text)
    }

    private func administer(_ interaction: Interaction) {
        guard interaction.subcommand == "reset" else {
            answer(interaction, "Unknown subcommand; try /ratelimit reset user:@someone.")
            return
        }
        guard Admin.allows(isOwner: interaction.isOwner, permissions: interaction.memberPermissions) else {
            answer(interaction, "Only the bot's owners and members with Administrator or Manage Server may reset usage.")
            return
        }
        guard let raw = interaction.option("user", as: String.self), let id = UInt64(raw), id > 0 else {
            answer(interaction, "Name the user to reset: /ratelimit reset user:@someone.")
            return
        }
        let userId = String(id)
        // Per-guild usage: reset it in this guild (everywhere when asked from a DM).
        let keys: [String]
        if config.voice.perGuild, let guild = interaction.guildID {
            keys = ["\(guild):\(userId)"]
        } else {
            keys = config.voice.perGuild ? ledger.keys(ofUser: userId) : [userId]
        }
        let now = host.nowMilliseconds
        var usedMs: Int64 = 0
        for key in keys {
            usedMs += ledger.status(of: key, nowMs: now).usedMs
            if ledger.reset(key) != nil { voiceStore.delete(key) }
        }
        announceReset(userId: userId, guildId: interaction.guildID, by: interaction.userID)
        answer(interaction, usedMs > 0
            ? "Reset the voice usage of <@\(userId)> (\(DurationText.compact(milliseconds: usedMs)) used)."
            : "<@\(userId)> had no voice usage to reset.")
    }

    /// `ratelimit.voice.reset`: {"userId": "…", "guildId": "…"?, "byUserId": "…"}, for audit logs.
    private func announceReset(userId: String, guildId: UInt64?, by admin: UInt64) {
        let guild = guildId.map { ",\"guildId\":\"\($0)\"" } ?? ""
        do {
            try host.bus.publish("ratelimit.voice.reset", json: RawJSON("{\"userId\":\"\(userId)\"\(guild),\"byUserId\":\"\(admin)\"}"))
        } catch {
            host.log.warning("could not publish ratelimit.voice.reset: \(error)")
        }
    }

    private func answer(_ interaction: Interaction, _ text: String) {
        do {
            try interaction.reply(text, ephemeral: true)
        } catch {
            host.log.error("/\(interaction.command) could not answer: \(error)")
        }
    }
}
