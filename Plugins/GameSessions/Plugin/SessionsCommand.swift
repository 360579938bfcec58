import Foundation
import GameSessionsCore
import PluginKit
import StrictJSON

/// `/sessions list` (anyone, ephemeral), `/sessions refresh` (administrators: poll now),
/// `/sessions watch` and `/sessions unwatch` (administrators: add or remove a channel of a source,
/// kept in storage). Every answer is ephemeral: it concerns only the one who asked.
extension GameSessionsPlugin {
    func registerCommands() throws {
        try host.commands.register(json: commandDefinition()) { interaction in self.invoked(interaction) }
    }

    /// The definition as Discord's JSON, with the configured sources as choices (up to 25).
    private func commandDefinition() -> String {
        let choices: [[String: String]]? = config.sources.count <= 25
            ? config.sources.map { ["name": String($0.name.prefix(100)), "value": $0.id] } : nil
        func sourceOption(required: Bool, _ description: String) -> [String: Any] {
            var option: [String: Any] = ["type": 3, "name": "source", "description": description, "required": required]
            if let choices { option["choices"] = choices }
            return option
        }
        let channel: [String: Any] = ["type": 7, "name": "channel", "description": "Which channel (default: this one)",
                                      "required": false, "channel_types": [0, 5]]
        let definition: [String: Any] = [
            "name": "sessions",
            "description": "Live game sessions from the configured feeds",
            "options": [
                ["type": 1, "name": "list", "description": "Show the sessions followed right now"],
                ["type": 1, "name": "refresh", "description": "Poll the feeds now (administrators)",
                 "options": [sourceOption(required: false, "Which source (default: all)")]],
                ["type": 1, "name": "watch", "description": "Post a source's sessions in a channel (administrators)",
                 "options": [sourceOption(required: true, "Which source"), channel]],
                ["type": 1, "name": "unwatch", "description": "Stop posting a source's sessions in a channel (administrators)",
                 "options": [sourceOption(required: true, "Which source"), channel]],
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: definition, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func invoked(_ interaction: Interaction) {
        switch interaction.subcommand {
        case "list":
            answer(interaction, listText())
        case "refresh":
            guard allowed(interaction) else { return }
            let wanted = interaction.option("source", as: String.self)
            guard wanted == nil || sources[wanted ?? ""] != nil else { return answer(interaction, unknownSource(wanted ?? "")) }
            let ids = config.sources.map(\.id).filter { wanted == nil || $0 == wanted }
            spawn { plugin in
                var lines: [String] = []
                for id in ids {
                    let report = await plugin.pollNow(id)
                    lines.append("**\(plugin.sources[id]?.config.name ?? id)**: \(report.summary)")
                }
                await plugin.answerAsync(interaction, lines.joined(separator: "\n"))
            }
        case "watch", "unwatch":
            guard allowed(interaction) else { return }
            guard let id = interaction.option("source", as: String.self), sources[id] != nil else {
                return answer(interaction, unknownSource(interaction.option("source", as: String.self) ?? ""))
            }
            let channel = interaction.option("channel", as: String.self).flatMap(Snowflake.parse) ?? interaction.channelID
            guard channel != 0 else { return answer(interaction, "Name a channel: /sessions \(interaction.subcommand ?? "watch") channel:#…") }
            answer(interaction, interaction.subcommand == "watch" ? watch(id, channel) : unwatch(id, channel))
        default:
            answer(interaction, "Unknown subcommand; try /sessions list.")
        }
    }

    private func allowed(_ interaction: Interaction) -> Bool {
        guard Admin.allows(isOwner: interaction.isOwner, permissions: interaction.memberPermissions) else {
            answer(interaction, Admin.refusal)
            return false
        }
        return true
    }

    private func unknownSource(_ name: String) -> String {
        "There is no source \"\(name.prefix(40))\"; the sources are: \(config.sources.map(\.id).joined(separator: ", "))."
    }

    /// Adds a channel to a source: its sessions are posted there from now on.
    func watch(_ id: String, _ channel: UInt64) -> String {
        guard var source = sources[id] else { return unknownSource(id) }
        guard !source.channels.contains(channel) else { return "<#\(channel)> already shows \(source.config.name) sessions." }
        source.watch.watch(channel)
        source.retired.remove(channel)
        store.save(source: id, source.watch)
        sources[id] = source
        switch source.config.mode {
        case .sessions:
            for sessionID in source.book.ids.sorted() { mark(PostID(source: id, key: .session(sessionID)), in: channel) }
        case .summary:
            for page in source.pages.pages.indices { mark(PostID(source: id, key: .page(page)), in: channel) }
        }
        pump(channel)
        host.log.info("\(id): now posting in channel \(channel)")
        return "<#\(channel)> now shows \(source.config.name) sessions (\(source.book.count) live right now)."
    }

    /// Takes a channel from a source: its messages there get a last "no longer tracked" edit.
    func unwatch(_ id: String, _ channel: UInt64) -> String {
        guard var source = sources[id] else { return unknownSource(id) }
        guard source.channels.contains(channel) else { return "<#\(channel)> does not show \(source.config.name) sessions." }
        source.watch.unwatch(channel)
        store.save(source: id, source.watch)
        let posts = lanes[channel]?.records.keys.filter { $0.source == id } ?? []
        if !posts.isEmpty { source.retired.insert(channel) }
        sources[id] = source
        for post in posts.sorted(by: { $0.key.storageName < $1.key.storageName }) { mark(post, in: channel) }
        pump(channel)
        host.log.info("\(id): no longer posting in channel \(channel)")
        return "<#\(channel)> no longer shows \(source.config.name) sessions; its \(posts.count) message(s) there are marked as no longer tracked."
    }

    /// The ephemeral answer to /sessions list: each source, its state, and its sessions.
    func listText() -> String {
        var lines: [String] = []
        for config in self.config.sources {
            guard let source = sources[config.id] else { continue }
            let channels = source.channels.map { "<#\($0)>" }.joined(separator: ", ")
            var header = "**\(EmbedText.plain(config.name, limit: 100))** · \(source.book.count) session\(source.book.count == 1 ? "" : "s")"
            header += channels.isEmpty ? " · posted nowhere (/sessions watch)" : " · in \(channels)"
            if let polled = source.lastPollMs { header += " · polled <t:\(polled / 1000):R>" }
            lines.append(header)
            if source.isFailing, let failure = source.lastReport?.failure {
                lines.append("⚠️ \(source.consecutiveFailures) polls in a row failed: \(EmbedText.plain(failure.description, limit: 200))")
            }
            let sessions = source.book.entries.sorted { ($0.firstSeenMs, $0.id) < ($1.firstSeenMs, $1.id) }
            for tracked in sessions.prefix(15) {
                let session = tracked.session
                var line = "\(SessionLook.symbol(of: session.state)) \(EmbedText.plain(session.name ?? "Unnamed game", limit: 60))"
                line += " · \(SessionEmbed.playersText(session))"
                if let mod = session.mod?.displayName { line += " · \(EmbedText.plain(mod, limit: 40))" }
                lines.append(line)
            }
            if sessions.count > 15 { lines.append("… and \(sessions.count - 15) more") }
        }
        return EmbedText.truncate(lines.joined(separator: "\n"), 2000)
    }

    func answer(_ interaction: Interaction, _ text: String) {
        do {
            try interaction.reply(text, ephemeral: true)
        } catch {
            host.log.error("/sessions could not answer: \(error)")
        }
    }

    func answerAsync(_ interaction: Interaction, _ text: String) async {
        do {
            try await interaction.reply(text, ephemeral: true)
        } catch {
            host.log.error("/sessions could not answer: \(error)")
        }
    }
}
