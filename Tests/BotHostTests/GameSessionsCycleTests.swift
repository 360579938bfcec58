import DiscordEmulator
import Foundation
import Testing

/// GameSessions end to end: the real plugin in a real host, a loopback feed that changes between
/// polls, and the emulated Discord recording each call the plugin makes.
@Suite struct GameSessionsCycleTests {
    typealias Feed = OpenRAFeedJSON

    static var alpha: [String: Any] { Feed.game(1, "Alpha", clients: [("ann", "FF0000")]) }
    static var bravo: [String: Any] { Feed.game(2, "Bravo", state: 2, maxPlayers: 2, clients: [("bob", "0000FF"), ("bea", "00FF00")]) }

    @Test func newUpdatedAndEndedSessionsMakeExactlyTheirCalls() async throws {
        let feed = try await GameSessionsFeedServer()
        feed.serve("/games", json: Feed.json([Self.alpha, Self.bravo]))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)

        // New sessions: one create each, in feed order.
        #expect(await rig.waitForCalls(2))
        #expect(rig.calls == ["POST 2001 1", "POST 2001 2"])
        let first = rig.embeds()
        #expect(first.map { $0["title"] as? String } == ["Alpha", "Bravo"])
        #expect(first.map { $0["color"] as? Int } == [0x57F287, 0xFEE75C])  // waiting green, playing yellow
        let fields = (first[0]["fields"] as? [[String: Any]]) ?? []
        #expect(fields.contains { $0["name"] as? String == "Players" && $0["value"] as? String == "1/8" })
        #expect(fields.contains { ($0["value"] as? String)?.contains("[Red Alert](https://www.openra.net)") == true })
        #expect(rig.events("gamesessions.session.started").map { $0["id"] as? String } == ["1", "2"])

        // Alpha gains a player (visible); Bravo's playtime and ttl move and its "spectators": 0
        // goes missing (none of it shows); Charlie is new.
        var alpha = Self.alpha
        alpha["players"] = 2
        alpha["clients"] = Feed.game(1, "Alpha", clients: [("ann", "FF0000"), ("al", "FFFF00")])["clients"]
        var bravo = Self.bravo
        bravo["playtime"] = 300
        bravo["ttl"] = 90
        bravo["spectators"] = nil
        let charlie = Feed.game(3, "Charlie")
        feed.serve("/games", json: Feed.json([alpha, bravo, charlie]))
        rig.host.advance(ms: 5000)  // a fresh pacing window
        var report = try await rig.poll()
        #expect(report["started"] as? Int == 1 && report["updated"] as? Int == 1 && report["silent"] as? Int == 1)
        #expect(await rig.waitForCalls(4))
        #expect(rig.calls == ["POST 2001 1", "POST 2001 2", "PATCH 2001 1", "POST 2001 3"])
        #expect(rig.events("gamesessions.session.updated").map { $0["id"] as? String } == ["1"])

        // Bravo leaves the feed: its message turns red, "Session Ended", with how long it lasted.
        feed.serve("/games", json: Feed.json([alpha, charlie]))
        rig.host.advance(ms: 5000)
        report = try await rig.poll()
        #expect(report["ended"] as? Int == 1)
        #expect(await rig.waitForCalls(5))
        #expect(rig.calls.last == "PATCH 2001 2")
        let ended = rig.embeds()[1]
        #expect((ended["title"] as? String)?.hasPrefix("❌ Session Ended") == true)
        #expect(ended["color"] as? Int == 0xED4245)
        #expect((ended["description"] as? String)?.contains("Lasted **10 s**") == true, "\(ended)")
        let endedEvent = try #require(rig.events("gamesessions.session.ended").first)
        #expect(endedEvent["id"] as? String == "2" && endedEvent["durationMs"] as? Int == 10_000)
        #expect((endedEvent["roster"] as? [[String: Any]])?.count == 2)

        // The same list again: nothing anyone would see changed, so no call. A visible change
        // afterwards is the very next call: nothing was queued in between.
        rig.host.advance(ms: 5000)
        report = try await rig.poll()
        #expect(report["started"] as? Int == 0 && report["updated"] as? Int == 0 && report["ended"] as? Int == 0)
        alpha["name"] = "Alpha (2v2)"
        feed.serve("/games", json: Feed.json([alpha, charlie]))
        try await rig.poll()
        #expect(await rig.waitForCalls(6))
        #expect(rig.calls == ["POST 2001 1", "POST 2001 2", "PATCH 2001 1", "POST 2001 3", "PATCH 2001 2", "PATCH 2001 1"])
        #expect(rig.titles() == ["Alpha (2v2)", "❌ Session Ended: Bravo", "Charlie"])
        // Ended sessions are forgotten once their end shows.
        #expect(try rig.storedKeys("session|lobby|").sorted() == ["session|lobby|1", "session|lobby|3"])
        rig.expectSpecValid()
        await rig.shutdown()
    }

    @Test func aSessionThatChangesWhileItsCallWaitsIsSentOnceWithItsLatestLook() async throws {
        let feed = try await GameSessionsFeedServer()
        let games = (1...6).map { Feed.game($0, "Game \($0)") }
        feed.serve("/games", json: Feed.json(games))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        // Five creates fit the channel's budget; the sixth waits for the window to move on.
        #expect(await rig.waitForCalls(5))
        #expect(await rig.settle())
        #expect(rig.calls.count == 5)

        // Game 6 changes three times while it waits: it is posted once, as it looks last.
        for players in 1...3 {
            var changed = games
            changed[5]["players"] = players
            changed[5]["name"] = "Game 6 (\(players))"
            feed.serve("/games", json: Feed.json(changed))
            try await rig.poll()
        }
        rig.host.advance(ms: 5000)
        #expect(await rig.waitForCalls(6))
        #expect(await rig.settle())
        #expect(rig.calls.count == 6)
        #expect(rig.calls.last == "POST 2001 6")
        #expect(rig.titles().last == "Game 6 (3)")
        await rig.shutdown()
    }

    @Test func aLobbyOfAHundredPlayersRendersAValidEmbed() async throws {
        let feed = try await GameSessionsFeedServer()
        let longName = String(repeating: "Very long lobby name ", count: 20)  // 420 characters
        let clients = (1...100).map { ("Player_\($0)_with_a_long_nickname_🙂", "FF0000") }
        let big = Feed.game(9, longName, players: 100, maxPlayers: 100, clients: clients,
                            extra: ["modtitle": String(repeating: "Mod ", count: 100), "location": String(repeating: "far away ", count: 50)])
        feed.serve("/games", json: Feed.json([big]))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        #expect(await rig.waitForCalls(1))
        #expect(rig.calls == ["POST 2001 9"])  // accepted: no error status
        let embed = try #require(rig.embeds().first)
        let title = embed["title"] as? String ?? ""
        #expect(title.unicodeScalars.count == 256 && title.hasSuffix("…"))
        let fields = embed["fields"] as? [[String: Any]] ?? []
        let lobby = try #require(fields.first { ($0["name"] as? String)?.hasPrefix("Lobby") == true })
        let value = lobby["value"] as? String ?? ""
        #expect(value.unicodeScalars.count <= 1024)
        #expect(value.contains("… and ") && value.contains(" more"))
        #expect(fields.allSatisfy { ($0["value"] as? String ?? "").unicodeScalars.count <= 1024 })
        rig.expectSpecValid()
        await rig.shutdown()
    }

    @Test func everySessionChangeIsPublishedOnTheBus() async throws {
        let feed = try await GameSessionsFeedServer()
        feed.serve("/games", json: Feed.json([Self.alpha]))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        let started = try #require(rig.events("gamesessions.session.started").first)
        #expect(started["source"] as? String == "lobby" && started["name"] as? String == "Alpha" && started["state"] as? String == "waiting")
        #expect(started["players"] as? Int == 1 && started["maxPlayers"] as? Int == 8)
        #expect((started["mod"] as? [String: Any])?["title"] as? String == "Red Alert")
        var alpha = Self.alpha
        alpha["state"] = 2
        alpha["started"] = "2024-05-01T12:00:00Z"
        feed.serve("/games", json: Feed.json([alpha]))
        try await rig.poll()
        let updated = try #require(rig.events("gamesessions.session.updated").first)
        #expect(updated["state"] as? String == "playing" && updated["startedAtMs"] as? Int == 1_714_564_800_000)
        feed.serve("/games", json: "[]")
        try await rig.poll()
        let ended = try #require(rig.events("gamesessions.session.ended").first)
        #expect(ended["id"] as? String == "1" && ended["endedAtMs"] != nil)
        await rig.shutdown()
    }
}
