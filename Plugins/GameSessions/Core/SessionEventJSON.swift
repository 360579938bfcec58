/// The JSON of `gamesessions.session.started` / `.updated` / `.ended`: the session as the plugin
/// knows it, plus its source, and for ended ones when and after how long.
public enum SessionEventJSON {
    public static func payload(source: String, _ tracked: TrackedSession, endedAtMs: Int64? = nil) -> [UInt8] {
        let session = tracked.session
        var writer = JSONWriter(capacity: 512)
        writer.raw("{")
        writer.member("source", source, first: true)
        writer.member("id", session.id)
        if let name = session.name { writer.member("name", name) }
        writer.member("state", session.state.kind.rawValue)
        writer.member("stateLabel", session.state.label)
        if let players = session.players { writer.member("players", integer: players) }
        if let maxPlayers = session.maxPlayers { writer.member("maxPlayers", integer: maxPlayers) }
        if let bots = session.bots { writer.member("bots", integer: bots) }
        if let spectators = session.spectators { writer.member("spectators", integer: spectators) }
        if let mod = session.mod {
            writer.raw(",\"mod\":{")
            var first = true
            for (name, value) in [("id", mod.id), ("title", mod.title), ("version", mod.version), ("website", mod.website), ("icon", mod.icon)] {
                guard let value else { continue }
                if !first { writer.raw(",") }
                first = false
                writer.string(name)
                writer.raw(":")
                writer.string(value)
            }
            writer.raw("}")
        }
        if let map = session.map { writer.member("map", map) }
        if let address = session.address { writer.member("address", address) }
        if let location = session.location { writer.member("location", location) }
        if let isProtected = session.isProtected {
            writer.raw(",\"protected\":")
            writer.bool(isProtected)
        }
        if let started = session.startedAtMs { writer.member("startedAtMs", integer: started) }
        writer.member("firstSeenMs", integer: tracked.firstSeenMs)
        if let endedAtMs {
            writer.member("endedAtMs", integer: endedAtMs)
            writer.member("durationMs", integer: max(0, endedAtMs - tracked.firstSeenMs))
        }
        writer.raw(",\"roster\":[")
        for (index, entry) in session.roster.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{")
            writer.member("name", entry.name, first: true)
            writer.member("role", entry.role.rawValue)
            if let color = entry.color { writer.member("color", color) }
            if let faction = entry.faction { writer.member("faction", faction) }
            if let team = entry.team { writer.member("team", integer: team) }
            if entry.isAdmin { writer.raw(",\"admin\":true") }
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.bytes
    }
}
