import StrictJSON

/// Where the `generic` format finds each field, so other games' APIs fit without code.
///
/// The defaults read the shape the plugin was first written for:
///
///     {"<session id>": {"game_name": "…", "player_count": 5, "max_players": 10, "status": "InGame",
///                       "mod": {"name": "…", "url": "…"}, "players": ["Player1", "Player2"]}}
///
/// The collection (`sessions`) may be an object keyed by session id or an array whose entries carry
/// their id at `id`. Every field path can be changed, or set to null to leave the field out.
public struct GenericLayout: Sendable, Equatable {
    /// Where the collection is in the document; empty: the document itself.
    public var sessions = FieldPath("")
    /// The id inside an entry. Required for arrays; for objects the member name is the id unless
    /// this is set and present in the entry.
    public var id: FieldPath? = FieldPath("id")
    public var name: FieldPath? = FieldPath("game_name")
    public var players: FieldPath? = FieldPath("player_count")
    public var maxPlayers: FieldPath? = FieldPath("max_players")
    public var state: FieldPath? = FieldPath("status")
    public var modName: FieldPath? = FieldPath("mod.name")
    public var modURL: FieldPath? = FieldPath("mod.url")
    public var modVersion: FieldPath? = FieldPath("mod.version")
    /// A list of names, or of objects whose name is at `playerName`.
    public var playerList: FieldPath? = FieldPath("players")
    public var playerName = FieldPath("name")
    public var map: FieldPath? = FieldPath("map")
    public var address: FieldPath? = FieldPath("address")
    /// ISO 8601 text or Unix seconds.
    public var startedAt: FieldPath? = FieldPath("started_at")
    /// State values meaning "waiting for players" / "in game", compared without case.
    public var waitingStates: Set<String> = ["pregame", "waiting", "lobby", "open", "1"]
    public var playingStates: Set<String> = ["ingame", "in game", "playing", "started", "running", "2"]

    public init() {}

    static let keys = ["sessions", "id", "name", "players", "maxPlayers", "state", "modName", "modURL", "modVersion",
                       "playerList", "playerName", "map", "address", "startedAt", "waitingStates", "playingStates"]

    /// Reads the `"generic"` object of a source; every key is optional.
    static func read(from fields: JSONFields?) throws(FieldError) -> GenericLayout {
        var layout = GenericLayout()
        guard let fields else { return layout }
        try fields.rejectUnknown(known: keys)
        layout.sessions = try fields.string("sessions").map(FieldPath.init) ?? layout.sessions
        layout.id = try optionalPath(fields, "id", layout.id)
        layout.name = try optionalPath(fields, "name", layout.name)
        layout.players = try optionalPath(fields, "players", layout.players)
        layout.maxPlayers = try optionalPath(fields, "maxPlayers", layout.maxPlayers)
        layout.state = try optionalPath(fields, "state", layout.state)
        layout.modName = try optionalPath(fields, "modName", layout.modName)
        layout.modURL = try optionalPath(fields, "modURL", layout.modURL)
        layout.modVersion = try optionalPath(fields, "modVersion", layout.modVersion)
        layout.playerList = try optionalPath(fields, "playerList", layout.playerList)
        layout.playerName = try fields.string("playerName").map(FieldPath.init) ?? layout.playerName
        layout.map = try optionalPath(fields, "map", layout.map)
        layout.address = try optionalPath(fields, "address", layout.address)
        layout.startedAt = try optionalPath(fields, "startedAt", layout.startedAt)
        if let waiting = try fields.strings("waitingStates") { layout.waitingStates = Set(waiting.map { $0.lowercased() }) }
        if let playing = try fields.strings("playingStates") { layout.playingStates = Set(playing.map { $0.lowercased() }) }
        return layout
    }

    /// A path, nil when written as null (the field is left out), the default when absent.
    private static func optionalPath(_ fields: JSONFields, _ name: String, _ fallback: FieldPath?) throws(FieldError) -> FieldPath? {
        guard fields.isPresent(name) else { return fallback }
        guard let text = try fields.string(name) else { return nil }
        guard !text.isEmpty else {
            throw FieldError(name, "must be a key path such as \"mod.name\", or null to leave the field out")
        }
        return FieldPath(text)
    }
}
