import PluginSupport

/// The embed of one session: name, state, players/max, mod with its link, map, server, start time
/// and the lobby, coloured by state. Nothing in it changes unless the session does (times are
/// Discord timestamps that clients count themselves), so equal sessions render equal bytes.
public enum SessionEmbed {
    /// What every render of a session shares.
    public struct Context: Sendable {
        /// The source's display name, in the footer.
        public var sourceName: String
        /// When the plugin first saw the session (Unix ms).
        public var firstSeenMs: Int64

        public init(sourceName: String, firstSeenMs: Int64) {
            self.sourceName = sourceName
            self.firstSeenMs = firstSeenMs
        }
    }

    /// The live embed.
    public static func live(_ session: GameSession, _ context: Context) -> [UInt8] {
        EmbedWriter.render { writeLive(session, context, into: &$0) }
    }

    /// The stable hash of the live embed, rendered into `scratch` (see `EmbedWriter.hash`).
    public static func liveHash(_ session: GameSession, _ context: Context, scratch: UnsafeMutableBufferPointer<UInt8>) -> UInt64 {
        EmbedWriter.hash(scratch: scratch) { writeLive(session, context, into: &$0) }
    }

    private static func writeLive(_ session: GameSession, _ context: Context, into embed: inout EmbedWriter) {
        embed.beginTitle()
        embed.add(session.name ?? "Unnamed game", .line, limit: EmbedLimits.title)
        embed.endText()
        embed.beginDescription()
        embed.addLiteral(SessionLook.symbol(of: session.state))
        embed.add(" **")
        embed.add(session.state.label, .markdown, limit: 100)
        embed.add("**")
        if session.isProtected == true { embed.addLiteral(" · 🔒 password") }
        embed.endText()
        embed.color(SessionLook.color(of: session.state))
        writeCommon(session, context, into: &embed)
        writeFacts(session, into: &embed)
        if session.address != nil || session.location != nil {
            embed.beginField("Server")
            writeServer(session, into: &embed)
            embed.endField()
        }
        if let started = session.startedAtMs {
            embed.beginField("Started")
            writeTime(started, into: &embed)
        } else {
            embed.beginField("Open since")
            writeTime(context.firstSeenMs, into: &embed)
        }
        embed.endField()
        writeRoster(session, into: &embed)
    }

    /// The embed of a session that left the feed: red, "Session Ended", with how long it lasted.
    public static func ended(_ session: GameSession, _ context: Context, endedAtMs: Int64) -> [UInt8] {
        EmbedWriter.render { embed in
            embed.beginTitle()
            embed.addLiteral("❌ Session Ended: ")
            embed.add(session.name ?? "Unnamed game", .line, limit: EmbedLimits.title)
            embed.endText()
            embed.beginDescription()
            embed.add("Lasted **")
            embed.addLiteral(DurationText.coarse(milliseconds: endedAtMs - context.firstSeenMs))
            embed.add("**")
            if let started = session.startedAtMs, started >= context.firstSeenMs {
                embed.add(" · played ")
                embed.addLiteral(DurationText.coarse(milliseconds: endedAtMs - started))
            }
            embed.addLiteral(" · ended ")
            writeTime(endedAtMs, into: &embed)
            embed.endText()
            embed.color(SessionLook.endedColor)
            writeCommon(session, context, into: &embed)
            writeFacts(session, into: &embed)
            writeRoster(session, into: &embed)
        }
    }

    /// The last look of a session whose channel stopped following the source (/sessions unwatch).
    public static func stopped(_ session: GameSession, _ context: Context) -> [UInt8] {
        EmbedWriter.render { embed in
            embed.beginTitle()
            embed.addLiteral("⏹ No longer tracked here: ")
            embed.add(session.name ?? "Unnamed game", .line, limit: EmbedLimits.title)
            embed.endText()
            embed.beginDescription()
            embed.addLiteral("This channel no longer follows ")
            embed.add(context.sourceName, .markdown, limit: 100)
            embed.addLiteral("; the game may still be running.")
            embed.endText()
            embed.color(SessionLook.stoppedColor)
            writeCommon(session, context, into: &embed)
            writeFacts(session, into: &embed)
        }
    }

    /// Footer, thumbnail and timestamp.
    private static func writeCommon(_ session: GameSession, _ context: Context, into embed: inout EmbedWriter) {
        embed.beginFooter()
        embed.add(context.sourceName, .line, limit: 150)
        embed.addLiteral(" · session ")
        embed.add(session.id, .line, limit: 100)
        embed.endFooter()
        if let icon = session.mod?.icon { embed.thumbnail(icon) }
        embed.timestamp(context.firstSeenMs)
    }

    /// Players, mod and map.
    private static func writeFacts(_ session: GameSession, into embed: inout EmbedWriter) {
        embed.beginField("Players")
        writePlayers(session, into: &embed)
        embed.endField()
        if let mod = session.mod, mod.displayName != nil {
            embed.beginField("Mod")
            writeMod(mod, into: &embed)
            embed.endField()
        }
        if let map = session.map {
            embed.beginField("Map")
            writeMap(map, into: &embed)
            embed.endField()
        }
    }

    /// "3/8 · 1 bot · 2 spectators"
    static func writePlayers(_ session: GameSession, into embed: inout EmbedWriter) {
        embed.add(session.players ?? session.roster.reduce(0) { $0 + ($1.role == .player ? 1 : 0) })
        if let max = session.maxPlayers {
            embed.add("/")
            embed.add(max)
        }
        if let bots = session.bots, bots > 0 {
            embed.addLiteral(" · ")
            embed.add(bots)
            embed.add(bots == 1 ? " bot" : " bots")
        }
        if let spectators = session.spectators, spectators > 0 {
            embed.addLiteral(" · ")
            embed.add(spectators)
            embed.add(spectators == 1 ? " spectator" : " spectators")
        }
    }

    /// "[Red Alert](https://www.openra.net) release-20231010"; a link that could not fit, or that
    /// would break the markdown, is left out.
    static func writeMod(_ mod: ModInfo, into embed: inout EmbedWriter) {
        guard let name = mod.displayName else { return }
        if let website = mod.website, website.utf8.count <= 700 {  // EmbedURL leaves no parentheses in it
            embed.add("[")
            embed.add(name, .markdown, limit: 100)
            embed.add("](")
            embed.add(website, .line, limit: 700)
            embed.add(")")
        } else {
            embed.add(name, .markdown, limit: 100)
        }
        if let version = mod.version {
            embed.add(" ")
            embed.add(version, .markdown, limit: 60)
        }
    }

    /// OpenRA sends a map's 40-hex uid; it links to the map's page in the OpenRA Resource Center.
    static func writeMap(_ map: String, into embed: inout EmbedWriter) {
        let isUID = map.utf8.withContiguousStorageIfAvailable(isMapUID) ?? isMapUID(map.utf8)
        guard isUID else {
            embed.add(map, .markdown, limit: 200)
            return
        }
        // Whole when it fits (nearly always): the checked digits then go in as they are, where the
        // general path would scan all 40 for escapes twice and cut the first piece byte by byte.
        if embed.room >= mapLinkPoints,
           map.utf8.withContiguousStorageIfAvailable({ uid -> Void in
               embed.add("[")
               embed.addCheckedASCII(UnsafeBufferPointer(rebasing: uid[0..<8]))
               embed.addLiteral("…")
               embed.add(mapPagePrefix)
               embed.addCheckedASCII(uid)
               embed.add("/)")
           }) != nil {
            return
        }
        embed.add("[")
        embed.add(map, .line, limit: 9)  // its first 8 digits and "…"
        embed.add(mapPagePrefix)
        embed.add(map, .line, limit: 40)
        embed.add("/)")
    }

    private static let mapPagePrefix: StaticString = "](https://resource.openra.net/maps/"
    /// "[", 8 digits and "…", the prefix, 40 digits, "/)".
    private static var mapLinkPoints: Int { 1 + 9 + mapPagePrefix.utf8CodeUnitCount + 40 + 2 }

    /// 40 lower-case hex digits.
    private static func isMapUID(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count == 40 && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// "`203.0.113.7:1234` · Germany"
    static func writeServer(_ session: GameSession, into embed: inout EmbedWriter) {
        if let address = session.address {
            embed.add("`")
            embed.add(address, .code, limit: 100)
            embed.add("`")
        }
        if let location = session.location {
            if session.address != nil { embed.addLiteral(" · ") }
            embed.add(location, .markdown, limit: 100)
        }
    }

    /// A Discord timestamp ("<t:1714564800:R>"): clients show "5 minutes ago" and keep it current.
    static func writeTime(_ milliseconds: Int64, into embed: inout EmbedWriter) {
        embed.add("<t:")
        embed.add(Int(milliseconds / 1000))
        embed.add(":R>")
    }

    /// The lobby, one line each, cut with "… and N more" so that it always fits one field.
    static func writeRoster(_ session: GameSession, into embed: inout EmbedWriter) {
        let roster = session.roster
        guard !roster.isEmpty else { return }
        embed.beginField("Lobby (", inline: false, count: roster.count)
        for (index, entry) in roster.enumerated() {
            let mark = embed.mark, room = embed.room, cuts = embed.cuts
            if index > 0 { embed.addNewline() }
            writeRosterLine(entry, into: &embed)
            // Room for "… and N more" must stay while lines follow; a cut line is no line at all.
            let reserve = index + 1 < roster.count ? 24 : 0
            if embed.room < reserve || embed.cuts != cuts {
                embed.rollBack(to: mark, room: room)
                if index > 0 { embed.addNewline() }
                embed.addLiteral("… and \(roster.count - index) more")
                break
            }
        }
        embed.endField()
    }

    static func writeRosterLine(_ entry: RosterEntry, into embed: inout EmbedWriter) {
        switch entry.role {
        case .player: embed.addLiteral(SessionLook.dot(forHex: entry.color))
        case .bot: embed.addLiteral("🤖")
        case .spectator: embed.addLiteral("👁")
        }
        embed.add(" ")
        embed.add(entry.name, .markdown, limit: 40)
        if entry.role == .spectator {
            embed.add(" (spectating)")
            return
        }
        if entry.isAdmin { embed.addLiteral(" ★") }
        if let faction = entry.faction {
            embed.addLiteral(" · ")
            embed.add(faction, .markdown, limit: 30)
        }
        if let team = entry.team, team > 0 {
            embed.addLiteral(" · team ")
            embed.add(team)
        }
    }

    /// "3/8 · 1 bot", for texts outside embeds (/sessions list).
    public static func playersText(_ session: GameSession) -> String {
        let players = session.players ?? session.roster.reduce(0) { $0 + ($1.role == .player ? 1 : 0) }
        var text = session.maxPlayers.map { "\(players)/\($0)" } ?? "\(players)"
        if let bots = session.bots, bots > 0 { text += bots == 1 ? " · 1 bot" : " · \(bots) bots" }
        if let spectators = session.spectators, spectators > 0 {
            text += spectators == 1 ? " · 1 spectator" : " · \(spectators) spectators"
        }
        return text
    }
}
