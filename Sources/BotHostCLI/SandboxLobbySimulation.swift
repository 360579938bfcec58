import Foundation

/// The sandbox's pretend game network: OpenRA lobbies that open, fill up, start and end on a
/// one-minute cycle, so `make run` shows GameSessions posting, editing and ending embeds with no
/// network. Games are a pure function of the seconds since the sandbox started.
struct SandboxLobbySimulation: Sendable {
    /// A new game opens every `spacing` seconds and lives `lifetime` seconds: it waits for players
    /// for `waiting` seconds (one more joins every 10 s), then plays until it ends.
    static let spacing = 20
    static let lifetime = 60
    static let waiting = 35

    private static let names = ["Newcomers welcome", "2v2 on Oasis", "Fast skirmish", "Ladder practice", "No rush 20",
                                "Tank wars", "Team game, all welcome", "Casual evening"]
    private static let mods: [(id: String, title: String, icon: String)] = [
        ("ra", "Red Alert", "https://www.openra.net/images/icons/ra_32x32.png"),
        ("cnc", "Tiberian Dawn", "https://www.openra.net/images/icons/cnc_32x32.png"),
        ("d2k", "Dune 2000", "https://www.openra.net/images/icons/d2k_32x32.png"),
    ]
    private static let players: [(name: String, color: String)] = [
        ("Aurora", "E03A3A"), ("Bishop", "3A6FE0"), ("Cassia", "3AE06F"), ("Dune", "E0C83A"),
        ("Ember", "E0873A"), ("Falk", "9A3AE0"), ("Gale", "EEEEEE"), ("Hoss", "8B5A2B"),
    ]
    private static let locations = ["Germany", "Netherlands", "Canada", "Brazil", "Japan"]

    /// The master server's JSON game list `seconds` after the start: what is running right now.
    func gamesJSON(atSecond seconds: Int) -> [UInt8] {
        // Two games are already under way at the start, so the first poll has something to show.
        let offset = seconds + 2 * Self.spacing - 5
        var games: [[String: Any]] = []
        var index = max(0, (offset - Self.lifetime) / Self.spacing)
        while index * Self.spacing <= offset {
            let age = offset - index * Self.spacing
            if age < Self.lifetime { games.append(game(index, age: age)) }
            index += 1
        }
        let data = (try? JSONSerialization.data(withJSONObject: games, options: [.sortedKeys])) ?? Data("[]".utf8)
        return Array(data)
    }

    private func game(_ index: Int, age: Int) -> [String: Any] {
        let mod = Self.mods[index % Self.mods.count]
        let maxPlayers = 4
        let playing = age >= Self.waiting
        let joined = playing ? maxPlayers : min(maxPlayers, 1 + age / 10)
        let clients: [[String: Any]] = (0..<joined).map { slot in
            let player = Self.players[(index * 3 + slot) % Self.players.count]
            return ["name": player.name, "color": player.color, "faction": slot % 2 == 0 ? "allies" : "soviet",
                    "team": slot % 2 + 1, "isadmin": slot == 0, "isspectator": false, "isbot": false]
        }
        var game: [String: Any] = [
            "id": 100_000 + index, "name": Self.names[index % Self.names.count], "address": "127.0.0.1:\(1234 + index % 100)",
            "state": playing ? 2 : 1, "players": joined, "maxplayers": maxPlayers, "bots": 0, "spectators": 0,
            "mod": mod.id, "version": "release-20231010", "modtitle": mod.title, "modwebsite": "https://www.openra.net",
            "modicon32": mod.icon, "map": "Sandbox Valley", "protected": index % 4 == 3,
            "location": Self.locations[index % Self.locations.count], "clients": clients,
        ]
        if playing { game["playtime"] = age - Self.waiting }
        return game
    }
}
