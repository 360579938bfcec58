import StrictJSON

/// Which sessions of a feed are worth a post: by mod, by state and by how many play.
///
/// Filters decide whether a session starts being followed. A followed session is then kept until
/// it leaves the feed, so a lobby that drops below `minPlayers` is never announced as ended while
/// it still runs.
public struct SessionFilter: Sendable, Equatable {
    /// Mod ids or titles, lower-cased; empty admits every mod.
    public var mods: Set<String> = []
    /// Empty admits every state.
    public var states: Set<SessionState.Kind> = []
    /// Human players needed; 0 admits empty lobbies.
    public var minPlayers = 0

    public init(mods: Set<String> = [], states: Set<SessionState.Kind> = [], minPlayers: Int = 0) {
        self.mods = Set(mods.map { $0.lowercased() })
        self.states = states
        self.minPlayers = minPlayers
    }

    public func admits(_ session: GameSession) -> Bool {
        if !mods.isEmpty {
            let names = [session.mod?.id, session.mod?.title].compactMap { $0?.lowercased() }
            guard names.contains(where: mods.contains) else { return false }
        }
        if !states.isEmpty, !states.contains(session.state.kind) { return false }
        if minPlayers > 0, (session.players ?? session.roster.filter { $0.role == .player }.count) < minPlayers { return false }
        return true
    }

    static func read(from fields: JSONFields?) throws(FieldError) -> SessionFilter {
        var filter = SessionFilter()
        guard let fields else { return filter }
        try fields.rejectUnknown(known: ["mods", "states", "minPlayers"])
        if let mods = try fields.strings("mods") { filter.mods = Set(mods.map { $0.lowercased() }) }
        if let states = try fields.strings("states") {
            var kinds: Set<SessionState.Kind> = []
            for name in states {
                guard let kind = SessionState.Kind(rawValue: name.lowercased()) else {
                    throw FieldError("states", "may hold \"waiting\", \"playing\" and \"other\", got \"\(name)\"")
                }
                kinds.insert(kind)
            }
            filter.states = kinds
        }
        if let minimum = try fields.integer("minPlayers") {
            guard (0...10_000).contains(minimum) else {
                throw FieldError("minPlayers", "must be a whole number from 0 to 10000, got \(minimum)")
            }
            filter.minPlayers = Int(minimum)
        }
        return filter
    }
}
