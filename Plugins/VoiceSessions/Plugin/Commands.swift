import PluginKit
import VoiceSessionsCore

/// `/voice join|leave|status|play|stop`.
extension VoiceSessionsPlugin {
    func registerCommands() throws {
        let definition = CommandDefinition(name: "voice", description: "Voice sessions: join, leave, status, play", options: [
            CommandOption(.subcommand, "join", "Bring the bot into your voice channel and start your session",
                          options: [.boolean("echo", "Send your own audio back to you, to check your setup")]),
            CommandOption(.subcommand, "leave", "End your voice session"),
            CommandOption(.subcommand, "status", "Your voice session and voice time"),
            CommandOption(.subcommand, "play", "Play a file from the bot's playback folder in your session",
                          options: [.string("file", "The file's name, e.g. welcome.opus", required: true, autocomplete: true)]),
            CommandOption(.subcommand, "stop", "Stop what is playing"),
        ])
        try host.commands.register(definition) { (interaction: Interaction) async throws in
            await self.handle(interaction)
        }
        try host.commands.onAutocomplete(command: "voice") { interaction in self.suggestFiles(interaction) }
    }

    private func handle(_ interaction: Interaction) async {
        switch interaction.subcommand {
        case "join": await join(interaction)
        case "leave": leave(interaction)
        case "status": await status(interaction)
        case "play": await play(interaction)
        case "stop": stopPlayback(interaction)
        default: answer(interaction, "Unknown subcommand; try /voice join, leave, status, play or stop.")
        }
    }

    /// Answers the interaction (fire and forget: Discord's verdict on it is logged by PluginKit).
    func answer(_ interaction: Interaction, _ text: String, ephemeral: Bool = true) {
        do {
            try interaction.reply(text, ephemeral: ephemeral)
        } catch {
            host.log.error("/voice \(interaction.subcommand ?? "") could not answer: \(error)")
        }
    }

    /// The invoker's session key, or nil (after answering) outside a guild.
    func sessionKey(of interaction: Interaction) -> SessionKey? {
        guard let guild = interaction.guildID else {
            answer(interaction, "Voice sessions live in servers: use /voice in a server.")
            return nil
        }
        return SessionKey(guildID: guild, userID: interaction.userID)
    }
}
