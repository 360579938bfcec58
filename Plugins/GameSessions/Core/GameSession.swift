/// One game session (a lobby or a running game) as a feed describes it, reduced to what the
/// plugin shows. Every field but `id` may be missing from a feed.
///
/// Only what a person would see is kept: two sessions that are equal render the same embed, so
/// equality is a cheap first test for "nothing changed" before anything is rendered.
public struct GameSession: Sendable, Equatable, Codable {
    public var id: String
    public var name: String?
    public var state: SessionState
    /// Human players in the game (bots and spectators are counted apart).
    public var players: Int?
    public var maxPlayers: Int?
    public var bots: Int?
    public var spectators: Int?
    public var mod: ModInfo?
    public var map: String?
    /// Where to connect, e.g. "203.0.113.7:1234".
    public var address: String?
    /// The server's location as the feed names it (a country, a region).
    public var location: String?
    /// Whether joining needs a password.
    public var isProtected: Bool?
    /// When the game itself started (Unix ms); nil while it waits for players.
    public var startedAtMs: Int64?
    /// Who is in the lobby, in feed order.
    public var roster: [RosterEntry]

    public init(id: String, name: String? = nil, state: SessionState = .unknown, players: Int? = nil,
                maxPlayers: Int? = nil, bots: Int? = nil, spectators: Int? = nil, mod: ModInfo? = nil,
                map: String? = nil, address: String? = nil, location: String? = nil, isProtected: Bool? = nil,
                startedAtMs: Int64? = nil, roster: [RosterEntry] = []) {
        self.id = id
        self.name = name
        self.state = state
        self.players = players
        self.maxPlayers = maxPlayers
        self.bots = bots
        self.spectators = spectators
        self.mod = mod
        self.map = map
        self.address = address
        self.location = location
        self.isProtected = isProtected
        self.startedAtMs = startedAtMs
        self.roster = roster
    }

    /// Field by field, scalars first: runs for every session of every poll, and the synthesized
    /// version copies (and so retains) optional members to compare them.
    public static func == (lhs: GameSession, rhs: GameSession) -> Bool {
        lhs.players == rhs.players && lhs.maxPlayers == rhs.maxPlayers && lhs.bots == rhs.bots
            && lhs.spectators == rhs.spectators && lhs.isProtected == rhs.isProtected && lhs.startedAtMs == rhs.startedAtMs
            && lhs.state == rhs.state && lhs.id == rhs.id && lhs.name == rhs.name && lhs.map == rhs.map
            && lhs.address == rhs.address && lhs.location == rhs.location && ModInfo.same(lhs.mod, rhs.mod)
            && lhs.roster == rhs.roster
    }
}

/// The game or mod a session runs. A class, shared by every session of a feed that runs the same
/// mod (`ModTable`): a session then holds one reference instead of five strings, which keeps both
/// its memory and the cost of copying it down.
public final class ModInfo: Sendable, Equatable, Hashable, Codable {
    /// The feed's short id ("ra", "cnc"); what `filters.mods` matches.
    public let id: String?
    /// The display name ("Red Alert").
    public let title: String?
    public let version: String?
    /// A web page about it (shown as the mod's link).
    public let website: String?
    /// A small icon (shown as the embed's thumbnail).
    public let icon: String?

    public init(id: String? = nil, title: String? = nil, version: String? = nil, website: String? = nil, icon: String? = nil) {
        self.id = id
        self.title = title
        self.version = version
        self.website = website
        self.icon = icon
    }

    /// What to call it: the title, else the id.
    public var displayName: String? { title ?? id }

    /// No field set: the feed named no mod.
    public var isEmpty: Bool { id == nil && title == nil && version == nil && website == nil && icon == nil }

    public static func == (lhs: ModInfo, rhs: ModInfo) -> Bool {
        lhs === rhs || (lhs.id == rhs.id && lhs.title == rhs.title && lhs.version == rhs.version && lhs.website == rhs.website
            && lhs.icon == rhs.icon)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(title)
        hasher.combine(version)
        hasher.combine(website)
        hasher.combine(icon)
    }

    /// Equality of optional mods (the same instance, or the same fields).
    static func same(_ lhs: ModInfo?, _ rhs: ModInfo?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case (let lhs?, let rhs?): lhs == rhs
        default: false
        }
    }
}

/// Hands out one `ModInfo` per distinct mod while a feed is read.
struct ModTable {
    private var known: Set<ModInfo> = []

    /// The shared instance equal to `mod`, or nil when the feed named no mod.
    mutating func intern(_ mod: ModInfo) -> ModInfo? {
        guard !mod.isEmpty else { return nil }
        if let existing = known.firstIndex(of: mod) { return known[existing] }
        known.insert(mod)
        return mod
    }
}

/// One person (or bot) in a session.
public struct RosterEntry: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable {
        case player, spectator, bot
    }

    public var name: String
    public var role: Role
    /// A colour as six hex digits ("FF0000"), as OpenRA sends it.
    public var color: String?
    public var faction: String?
    /// Team number; 0 or nil means no team.
    public var team: Int?
    public var isAdmin: Bool

    public init(name: String, role: Role = .player, color: String? = nil, faction: String? = nil, team: Int? = nil,
                isAdmin: Bool = false) {
        self.name = name
        self.role = role
        self.color = color
        self.faction = faction
        self.team = team
        self.isAdmin = isAdmin
    }
}
