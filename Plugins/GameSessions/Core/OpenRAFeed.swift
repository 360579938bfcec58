/// The OpenRA master server's game list (`/games?protocol=2&type=json`): a top-level array of
/// games. Any field may be missing; only `id` is required of an entry.
enum OpenRAFeed {
    static func read(_ document: FeedJSON, nowMs: Int64) throws(PollFailure) -> FeedSnapshot {
        guard case .array(let entries) = document else {
            throw .wrongShape("expected an array of games at the top level, got \(document.kindName)")
        }
        var snapshot = FeedSnapshot()
        snapshot.sessions.reserveCapacity(entries.count)
        var seen = Set<String>(minimumCapacity: entries.count)
        var mods = ModTable()
        for (index, entry) in entries.enumerated() {
            let label = "entry \(index)"
            do {
                snapshot.add(try session(entry, nowMs: nowMs, mods: &mods), seen: &seen, label: label)
            } catch {
                snapshot.skip("\(label): \(error.field.isEmpty ? "" : "\"\(error.field)\" ")\(error.problem)",
                              id: try? FeedValues.id(entry["id"], "id"))
            }
        }
        return snapshot
    }

    static func session(_ entry: FeedJSON, nowMs: Int64, mods: inout ModTable) throws(FeedValueError) -> GameSession {
        guard case .object = entry else { throw FeedValueError(field: "", problem: "is \(entry.kindName), not a game object") }
        var session = GameSession(id: try FeedValues.id(entry["id"], "id"))
        // A game has a name and a numeric state on every OpenRA master server; an entry without
        // them is junk that must not be posted as "Unnamed game" (and later "ended").
        guard let name = try FeedValues.text(entry["name"], "name") else {
            throw FeedValueError(field: "name", problem: "is missing or empty")
        }
        session.name = name
        session.state = try state(entry["state"])
        session.players = try FeedValues.count(entry["players"], "players")
        session.maxPlayers = try FeedValues.count(entry["maxplayers"], "maxplayers")
        session.bots = try FeedValues.count(entry["bots"], "bots")
        session.spectators = try FeedValues.count(entry["spectators"], "spectators")
        let mod = ModInfo(id: try FeedValues.text(entry["mod"], "mod"), title: try FeedValues.text(entry["modtitle"], "modtitle"),
                          version: try FeedValues.text(entry["version"], "version"),
                          website: EmbedURL.sanitized(try FeedValues.text(entry["modwebsite"], "modwebsite")),
                          icon: EmbedURL.sanitized(try FeedValues.text(entry["modicon32"], "modicon32")))
        session.mod = mods.intern(mod)
        session.map = try FeedValues.text(entry["map"], "map")
        session.address = try FeedValues.text(entry["address"], "address")
        session.location = try FeedValues.text(entry["location"], "location")
        session.isProtected = try FeedValues.bool(entry["protected"], "protected")
        if session.state == .playing {
            if let started = FeedTime.milliseconds(entry["started"]) {
                session.startedAtMs = started
            } else if let playtime = try FeedValues.count(entry["playtime"], "playtime") {
                session.startedAtMs = nowMs - Int64(playtime) * 1000
            }
        }
        if let clients = entry["clients"], !clients.isNull {
            guard case .array(let list) = clients else {
                throw FeedValueError(field: "clients", problem: "is \(clients.kindName), not a list of clients")
            }
            session.roster = list.compactMap(rosterEntry)
        }
        return session
    }

    /// 1 waiting, 2 playing; other numbers are shown as they are. OpenRA's states are numbers (or
    /// numeric strings): a missing state or one that is not a number marks a malformed entry.
    private static func state(_ value: FeedJSON?) throws(FeedValueError) -> SessionState {
        switch value {
        case nil, .null?:
            throw FeedValueError(field: "state", problem: "is missing")
        case .string(let text)?:
            guard let number = Int(text.trimmingSpaces) else {
                throw FeedValueError(field: "state", problem: "is \"\(text.prefix(40))\", not a game state number")
            }
            return state(number)
        default:
            guard let number = try FeedValues.integer(value, "state") else {
                throw FeedValueError(field: "state", problem: "is missing")
            }
            return state(number)
        }
    }

    private static func state(_ number: Int) -> SessionState {
        switch number {
        case 1: .waiting
        case 2: .playing
        default: .other("State \(number)")
        }
    }

    /// A client without a readable name is left out of the roster; the game itself still counts.
    private static func rosterEntry(_ client: FeedJSON) -> RosterEntry? {
        guard case .object = client, let name = try? FeedValues.text(client["name"], "name") else { return nil }
        let isBot = (try? FeedValues.bool(client["isbot"], "isbot")) ?? nil
        let isSpectator = (try? FeedValues.bool(client["isspectator"], "isspectator")) ?? nil
        let role: RosterEntry.Role = isBot == true ? .bot : isSpectator == true ? .spectator : .player
        return RosterEntry(
            name: name, role: role,
            color: (try? FeedValues.text(client["color"], "color")) ?? nil,
            faction: (try? FeedValues.text(client["faction"], "faction")) ?? nil,
            team: (try? FeedValues.integer(client["team"], "team")) ?? nil,
            isAdmin: ((try? FeedValues.bool(client["isadmin"], "isadmin")) ?? nil) ?? false)
    }
}
