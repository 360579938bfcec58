/// One summary message: up to ten sessions as fields of one embed. Kept short so that ten fit
/// in Discord's 6000-character total: a field name of at most 150 and a value of at most 400.
public enum SummaryEmbed {
    public static func render(page: Int, sessions: [TrackedSession], sourceName: String) -> [UInt8] {
        EmbedWriter.render { embed in
            writeTitle(page: page, sourceName: sourceName, into: &embed)
            if sessions.isEmpty {
                embed.beginDescription()
                embed.addLiteral(page == 0 ? "No open games right now." : "No games on this page right now.")
                embed.endText()
            }
            embed.color(SessionLook.summaryColor)
            embed.beginFooter()
            embed.add(sourceName, .line, limit: 150)
            embed.addLiteral(" · updated as games change")
            embed.endFooter()
            for tracked in sessions.prefix(SummaryPages.sessionsPerPage) {
                let session = tracked.session
                embed.beginField(name: { name in
                    name.addLiteral(SessionLook.symbol(of: session.state))
                    name.add(" ")
                    name.add(session.name ?? "Unnamed game", .line, limit: 140)
                }, nameLimit: 150, valueLimit: 400)
                writeValue(tracked, into: &embed)
                embed.endField()
            }
        }
    }

    /// A summary page in a channel that no longer follows the source.
    public static func stopped(page: Int, sourceName: String) -> [UInt8] {
        EmbedWriter.render { embed in
            writeTitle(page: page, sourceName: sourceName, into: &embed)
            embed.beginDescription()
            embed.addLiteral("⏹ This channel no longer follows ")
            embed.add(sourceName, .markdown, limit: 100)
            embed.add(".")
            embed.endText()
            embed.color(SessionLook.stoppedColor)
        }
    }

    private static func writeTitle(page: Int, sourceName: String, into embed: inout EmbedWriter) {
        embed.beginTitle()
        embed.add(sourceName, .line, limit: 200)
        embed.add(": game sessions")
        if page > 0 {
            embed.add(" (")
            embed.add(page + 1)
            embed.add(")")
        }
        embed.endText()
    }

    /// "Waiting for players · 3/8 players · [Red Alert](…) · Oasis · open since <t:…:R>" and the names.
    static func writeValue(_ tracked: TrackedSession, into embed: inout EmbedWriter) {
        let session = tracked.session
        embed.add(session.state.label, .markdown, limit: 60)
        embed.addLiteral(" · ")
        SessionEmbed.writePlayers(session, into: &embed)
        embed.add(" players")
        if let mod = session.mod, mod.displayName != nil {
            embed.addLiteral(" · ")
            if mod.website.map({ $0.utf8.count > 120 }) == true {
                SessionEmbed.writeMod(ModInfo(id: mod.id, title: mod.title, version: mod.version), into: &embed)
            } else {
                SessionEmbed.writeMod(mod, into: &embed)
            }
        }
        if let map = session.map {
            embed.addLiteral(" · ")
            embed.add(map, .markdown, limit: 60)
        }
        if let started = session.startedAtMs {
            embed.add(" · started ")
            SessionEmbed.writeTime(started, into: &embed)
        } else {
            embed.add(" · open since ")
            SessionEmbed.writeTime(tracked.firstSeenMs, into: &embed)
        }
        let names = session.roster.filter { $0.role != .spectator }
        guard !names.isEmpty else { return }
        embed.addNewline()
        for (index, entry) in names.enumerated() {
            let mark = embed.mark, room = embed.room, cuts = embed.cuts
            if index > 0 { embed.add(", ") }
            embed.add(entry.name, .markdown, limit: 32)
            if embed.room < (index + 1 < names.count ? 10 : 0) || embed.cuts != cuts {
                embed.rollBack(to: mark, room: room)
                embed.addLiteral(" … +\(names.count - index)")
                break
            }
        }
    }
}
