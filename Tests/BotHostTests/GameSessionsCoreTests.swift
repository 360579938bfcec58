import Foundation
import GameSessionsCore
import Testing

/// GameSessionsCore on its own: feed parsing in both formats, the diff, rendering within Discord's
/// limits, and the pieces the plugin's lanes are made of.
@Suite struct GameSessionsCoreTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/GameSessions/\(name)")))
    }

    static let now: Int64 = 1_714_570_000_000

    // MARK: OpenRA

    @Test func openRAGamesAreReadWithEveryFieldAndWithout() throws {
        let snapshot = try FeedParser.parse(try Self.fixture("openra-games.json"), format: .openra, nowMs: Self.now)
        #expect(snapshot.skipped == 0)
        #expect(snapshot.sessions.map(\.id) == ["512034", "512035", "512036"])
        let waiting = snapshot.sessions[0]
        #expect(waiting.name == "1v1 ladder practice" && waiting.state == .waiting)
        #expect(waiting.players == 1 && waiting.maxPlayers == 2 && waiting.spectators == 1 && waiting.isProtected == false)
        #expect(waiting.mod == ModInfo(id: "ra", title: "Red Alert", version: "release-20231010", website: "https://www.openra.net",
                                       icon: "https://www.openra.net/images/icons/ra_32x32.png"))
        #expect(waiting.startedAtMs == nil)  // "0001-01-01" and playtime -1 are no start
        #expect(waiting.roster.map(\.role) == [.player, .spectator] && waiting.roster[0].isAdmin)
        let playing = snapshot.sessions[1]
        #expect(playing.state == .playing && playing.startedAtMs == 1_714_564_800_000 && playing.isProtected == true)
        #expect(playing.roster.map(\.role) == [.player, .player, .player, .bot])
        #expect(playing.roster[2].team == 2 && playing.roster[2].faction == "gdi")
        // Only what every game has (id, name, state): every other field is simply absent.
        var bare = GameSession(id: "512036")
        bare.name = "Bare game"
        bare.state = .waiting
        #expect(snapshot.sessions[2] == bare)
    }

    @Test func aRunningGameWithoutAStartTimeIsDatedByItsPlaytime() throws {
        let json = #"[{"id": 1, "name": "a", "state": 2, "playtime": 600}, {"id": 2, "name": "b", "state": 3}, {"id": "3", "name": "c", "state": "2"}]"#
        let sessions = try FeedParser.parse(Array(json.utf8), format: .openra, nowMs: Self.now).sessions
        #expect(sessions[0].startedAtMs == Self.now - 600_000)
        #expect(sessions[1].state == .other("State 3"))
        #expect(sessions[2].state == .playing && sessions[2].id == "3")
    }

    @Test func malformedOpenRAEntriesAreSkippedOneByOne() throws {
        let json = #"[{"id": 1, "name": "a", "state": 1, "players": "many"}, 7, {"name": "no id", "state": 1}, {"id": 2, "name": "b", "state": 1, "clients": {"a": 1}}, {"id": 3, "name": "c", "state": 1}, {"id": 3, "name": "c", "state": 1}, {"id": 4, "name": "d", "state": 1, "maxplayers": 1.5}]"#
        let snapshot = try FeedParser.parse(Array(json.utf8), format: .openra, nowMs: Self.now)
        #expect(snapshot.sessions.map(\.id) == ["3"])
        #expect(snapshot.skipped == 6)
        #expect(snapshot.skipNotes.count == FeedSnapshot.maxNotes)
        #expect(snapshot.skipNotes[0] == #"entry 0: "players" is "many", not a number"#)
        // Entries whose id could be read are still listed: their sessions are not ended.
        #expect(snapshot.stillListed == ["1", "2", "4"])
    }

    @Test func feedsThatAreNotAGameListFailTheWholePoll() {
        func failure(_ text: String, _ format: SourceConfig.Format = .openra) -> PollFailure? {
            do {
                _ = try FeedParser.parse(Array(text.utf8), format: format, nowMs: Self.now)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("")?.kind == "invalid_json")
        #expect(failure("[{\"id\": 1},")?.kind == "invalid_json")
        #expect(failure("<html></html>")?.kind == "invalid_json")
        #expect(failure(#"{"games": []}"#)?.kind == "wrong_shape")
        #expect(failure(#"[1, 2, "x"]"#)?.kind == "no_readable_entries")
        #expect(failure("[]") == nil)  // an empty list is an answer: no games right now
        #expect(failure(#"{"x": 1}"#, .generic(GenericLayout()))?.kind == "no_readable_entries")
        var nested = GenericLayout()
        nested.sessions = FieldPath("data.games")
        #expect(failure(#"{"data": {}}"#, .generic(nested))?.kind == "wrong_shape")
        #expect(failure(#"{"data": {"games": "none"}}"#, .generic(nested))?.kind == "wrong_shape")
        #expect(failure(String(repeating: "[", count: 500) + String(repeating: "]", count: 500))?.kind == "invalid_json")
    }

    // MARK: generic

    @Test func theSeedShapeIsReadWithTheDefaultKeyPaths() throws {
        let snapshot = try FeedParser.parse(try Self.fixture("generic-seed.json"), format: .generic(GenericLayout()), nowMs: Self.now)
        #expect(snapshot.sessions.map(\.id) == ["session_id_1", "session_id_2"])
        let first = snapshot.sessions[0]
        #expect(first.name == "Game Title" && first.players == 5 && first.maxPlayers == 10 && first.state == .playing)
        #expect(first.mod == ModInfo(title: "Mod Name", website: "http://example.com"))
        #expect(first.roster.map(\.name) == ["Player1", "Player2", "Player3"])
        #expect(snapshot.sessions[1].state == .waiting && snapshot.sessions[1].mod == nil)
        #expect(snapshot.skipped == 1 && snapshot.stillListed == ["session_id_3"])
    }

    @Test func otherAPIsFitThroughKeyPaths() throws {
        let config = try GameSessionsConfig.parse(Array(#"""
            {"sources": [{"id": "arena", "url": "https://arena.example/api", "format": "generic",
              "generic": {"sessions": "data.servers", "id": "uuid", "name": "title", "players": "stats.online",
                          "maxPlayers": "stats.capacity", "state": "phase", "modName": "game.name", "modURL": "game.link",
                          "modVersion": "game.build", "playerList": "roster", "playerName": "nick", "startedAt": "since",
                          "map": null, "address": null, "waitingStates": ["lobby"], "playingStates": ["running"]}}]}
            """#.utf8))
        let snapshot = try FeedParser.parse(try Self.fixture("generic-nested.json"), format: config.sources[0].format, nowMs: Self.now)
        #expect(snapshot.sessions.map(\.id) == ["a1", "b2"])
        #expect(snapshot.skipped == 1)  // the entry without a uuid
        let lobby = snapshot.sessions[0]
        #expect(lobby.name == "Capture the flag" && lobby.players == 3 && lobby.maxPlayers == 16 && lobby.state == .waiting)
        #expect(lobby.mod == ModInfo(title: "Arena", version: "1.4.2", website: "https://arena.example/"))
        #expect(lobby.roster.map(\.name) == ["red", "blue", "green"])
        let running = snapshot.sessions[1]
        #expect(running.players == 12 && running.state == .playing && running.startedAtMs == 1_714_564_800_000)
        #expect(running.roster.map(\.name) == ["x"])  // a player without a name is left out
    }

    @Test func anArrayNeedsAnIdPathAndAnObjectUsesItsKeys() throws {
        var layout = GenericLayout()
        layout.id = nil
        #expect(throws: PollFailure.self) { try FeedParser.parse(Array(#"[{"game_name": "x"}]"#.utf8), format: .generic(layout), nowMs: 0) }
        let keyed = try FeedParser.parse(Array(#"{"k1": {"game_name": "A"}, "k2": {"id": "explicit", "game_name": "B"}}"#.utf8),
                                         format: .generic(GenericLayout()), nowMs: 0)
        #expect(keyed.sessions.map(\.id) == ["k1", "explicit"])
        #expect(FieldPath("a\\.b.0").segments == ["a.b", "0"])
        #expect(FieldPath("list.1.name").resolve(in: .object([FeedMember(key: "list", value: .array([.null, .object([FeedMember(key: "name", value: .string("n"))])]))])) == .string("n"))
    }

    // MARK: config

    @Test func configErrorsNameTheFieldAndTheFix() {
        func problem(_ json: String) -> String {
            do {
                _ = try GameSessionsConfig.parse(Array(json.utf8))
                return "accepted"
            } catch {
                return error.description
            }
        }
        let url = #""url": "https://master.openra.net/games?protocol=2&type=json""#
        #expect(problem("{}").contains(#""sources" must list at least one feed"#))
        #expect(problem(#"{"sources": [{"id": "x", "url": "ftp://a"}]}"#).contains(#""sources[0].url" must be an absolute http:// or https:// URL"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url), "interval": 5}]}"#).contains(#""sources[0].interval" must be a number of seconds from 10 to 86400"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url), "channel": 2001}]}"#).contains(#""sources[0].channel" must be a snowflake written as a string"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url), "intervall": 30}]}"#).contains(#""sources[0].intervall" is not a known key"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url), "format": "json"}]}"#).contains(#""sources[0].format" must be "openra" or "generic""#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url), "filters": {"states": ["lobby"]}}]}"#).contains(#""sources[0].filters.states" may hold"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url), "format": "generic", "generic": {"name": ""}}]}"#).contains(#""sources[0].generic.name" must be a key path"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url)}, {"id": "x", \#(url)}]}"#).contains(#""sources[1].id" "x" is used by an earlier source"#))
        #expect(problem(#"{"sources": [{"id": "Bad Id", \#(url)}]}"#).contains(#""sources[0].id" must be 1 to 32 of a-z 0-9 _ -"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url)}], "pacing": {"calls": 0}}"#).contains(#""pacing.calls" must be a whole number from 1 to 50"#))
        #expect(problem(#"{"sources": [{"id": "x", \#(url)}]}"#) == "accepted")
    }

    @Test func configDefaultsAreTheDocumentedOnes() throws {
        let config = try GameSessionsConfig.parse(Array(#"{"sources": [{"id": "openra", "url": "http://127.0.0.1:1/g", "channel": "2001"}]}"#.utf8))
        let source = try #require(config.sources.first)
        #expect(source.format == .openra && source.intervalMs == 30_000 && source.timeoutMs == 10_000)
        #expect(source.channel == 2001 && source.name == "openra" && source.mode == .sessions && source.failureThreshold == 3)
        #expect(config.pacing == PaceBudget.Limit(calls: 5, windowMs: 5000))
        #expect(config.totalPacing == PaceBudget.Limit(calls: 25, windowMs: 1000))
    }

    // MARK: diff

    static func session(_ id: String, players: Int = 1, state: SessionState = .waiting) -> GameSession {
        GameSession(id: id, name: "Game \(id)", state: state, players: players, maxPlayers: 8, mod: ModInfo(id: "ra", title: "Red Alert"))
    }

    @Test func theDiffStartsUpdatesOnlyVisibleChangesAndEndsWhatIsGone() throws {
        var book = SessionBook(sourceName: "Test")
        var changes = book.apply([Self.session("a"), Self.session("b")], filter: SessionFilter(), nowMs: 1000)
        #expect(changes.started == 2 && changes.events.map(\.id) == ["a", "b"])
        changes = book.apply([Self.session("a"), Self.session("b")], filter: SessionFilter(), nowMs: 2000)
        #expect(changes.events.isEmpty && changes.unchanged == 2)
        changes = book.apply([Self.session("a", players: 2)], filter: SessionFilter(), nowMs: 3000)
        #expect(changes.events.count == 2)
        guard case .updated(let updatedID) = changes.events[0], case .ended(let ended, let endedAt) = changes.events[1] else {
            Issue.record("expected an update then an end: \(changes.events)")
            return
        }
        let updated = try #require(book[updatedID])
        #expect(updated.id == "a" && updated.firstSeenMs == 1000 && updated.session.players == 2)
        #expect(ended.id == "b" && endedAt == 3000)
        #expect(book.count == 1)
    }

    @Test func aPlayingGamesStartIsKeptFromItsFirstSightingAndFiltersOnlyGateNewSessions() {
        var book = SessionBook(sourceName: "Test")
        var playing = Self.session("p", state: .playing)
        playing.startedAtMs = 10_000
        _ = book.apply([playing], filter: SessionFilter(), nowMs: 20_000)
        playing.startedAtMs = 10_900  // re-estimated from playtime: jitter, not a change
        #expect(book.apply([playing], filter: SessionFilter(), nowMs: 21_000).events.isEmpty)
        #expect(book["p"]?.session.startedAtMs == 10_000)

        let filter = SessionFilter(mods: ["cnc"], minPlayers: 2)
        var other = SessionBook(sourceName: "Test")
        var cnc = Self.session("c", players: 2)
        cnc.mod = ModInfo(id: "cnc", title: "Tiberian Dawn")
        let changes = other.apply([Self.session("r", players: 5), cnc], filter: filter, nowMs: 0)
        #expect(changes.started == 1 && changes.filteredOut == 1)
        cnc.players = 1  // below the minimum now, but followed until it leaves the feed
        #expect(other.apply([cnc], filter: filter, nowMs: 1).ended == 0)
    }

    // MARK: rendering

    @Test func aHundredPlayerLobbyRendersWithinEveryLimit() throws {
        var session = Self.session("big", players: 100)
        session.name = String(repeating: "N", count: 300)
        session.map = String(repeating: "m", count: 2000)
        session.location = String(repeating: "l", count: 2000)
        session.address = String(repeating: "a", count: 2000)
        session.roster = (1...100).map { RosterEntry(name: "Player \($0) *with* _markdown_ and a very long name indeed", color: "FF0000",
                                                     faction: String(repeating: "f", count: 100), team: $0 % 4) }
        let look = SessionBook(sourceName: String(repeating: "S", count: 3000)).render(session, firstSeenMs: 0)
        let embed = try #require(try JSONSerialization.jsonObject(with: Data(look.embed)) as? [String: Any])
        func length(_ value: Any?) -> Int { (value as? String)?.unicodeScalars.count ?? 0 }
        #expect(length(embed["title"]) == 256)
        #expect(length((embed["footer"] as? [String: Any])?["text"]) <= 2048)
        let fields = embed["fields"] as? [[String: Any]] ?? []
        #expect(fields.count <= 25 && fields.allSatisfy { length($0["name"]) <= 256 && length($0["value"]) <= 1024 && length($0["value"]) > 0 })
        let total = length(embed["title"]) + length(embed["description"]) + length((embed["footer"] as? [String: Any])?["text"])
            + fields.reduce(0) { $0 + length($1["name"]) + length($1["value"]) }
        #expect(total <= 6000)
        let lobby = fields.last?["value"] as? String ?? ""
        #expect(lobby.contains(#"\*with\* \_markdown\_"#) && lobby.hasSuffix(" more"))
    }

    @Test func truncationCountsCodePointsAndKeepsEmojiWhole() {
        #expect(EmbedText.truncate("héllo", 5) == "héllo")
        #expect(EmbedText.truncate("héllo wörld", 6) == "héllo…")
        #expect(EmbedText.truncate("👍🏽👍🏽👍🏽", 3).unicodeScalars.count <= 3)
        #expect(EmbedText.length("👍🏽") == 2)
        #expect(EmbedText.plain("a\nb <@1> `x`", limit: 100) == #"a b \<@1\> \`x\`"#)
    }

    @Test func theSameSessionRendersTheSameBytesInEveryProcess() {
        let book = SessionBook(sourceName: "Lobby")
        let look = book.render(Self.session("a"), firstSeenMs: 1_700_000_000_000)
        #expect(look == book.render(Self.session("a"), firstSeenMs: 1_700_000_000_000))
        #expect(look.hash != book.render(Self.session("a", players: 2), firstSeenMs: 1_700_000_000_000).hash)
        // A constant across runs and machines (a stored hash stays comparable after a restart).
        #expect(StableHash.of(Array("hello".utf8)) == 0xDF6B_01A5_6377_EE89)
        let text = String(decoding: look.embed, as: UTF8.self)
        #expect(text == #"{"title":"Game a","description":"🟢 **Waiting for players**","color":5763719,"#
            + #""footer":{"text":"Lobby · session a"},"timestamp":"2023-11-14T22:13:20.000Z","fields":["#
            + #"{"name":"Players","inline":true,"value":"1/8"},{"name":"Mod","inline":true,"value":"Red Alert"},"#
            + #"{"name":"Open since","inline":true,"value":"<t:1700000000:R>"}]}"#, "\(text)")
    }

    @Test func endedEmbedsAreRedAndSayHowLongTheSessionLasted() throws {
        var session = Self.session("a", state: .playing)
        session.startedAtMs = 1_000_000 + 600_000
        let embed = SessionEmbed.ended(session, SessionEmbed.Context(sourceName: "Lobby", firstSeenMs: 1_000_000), endedAtMs: 1_000_000 + 3_900_000)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(embed)) as? [String: Any])
        #expect(object["color"] as? Int == 0xED4245)
        #expect(object["title"] as? String == "❌ Session Ended: Game a")
        #expect((object["description"] as? String)?.hasPrefix("Lasted **1 h 5 min** · played 55 min") == true)
    }

    @Test func unsafeLinksFromAFeedAreLeftOut() throws {
        let json = #"[{"id": 1, "name": "a", "state": 1, "modwebsite": "javascript:alert(1)", "modicon32": "https://x.example/a b.png"}, {"id": 2, "name": "b", "state": 1, "modwebsite": "https://ok.example/p?q=1"}]"#
        let sessions = try FeedParser.parse(Array(json.utf8), format: .openra, nowMs: 0).sessions
        #expect(sessions[0].mod?.website == nil && sessions[0].mod?.icon == nil)
        #expect(sessions[1].mod?.website == "https://ok.example/p?q=1")
    }

    // MARK: publishing pieces

    @Test func theOutboxKeepsAPostOnceInItsFirstPlace() {
        var outbox = ChannelOutbox()
        let a = PostID(source: "s", key: .session("a")), b = PostID(source: "s", key: .session("b"))
        outbox.mark(a)
        outbox.mark(b)
        outbox.mark(a)
        #expect(outbox.count == 2)
        #expect(outbox.next() == a)
        outbox.markFirst(a)
        #expect(outbox.next() == a && outbox.next() == b && outbox.next() == nil)
    }

    @Test func thePaceBudgetAllowsFiveCallsPerFiveSeconds() {
        var budget = PaceBudget(PaceBudget.Limit(calls: 5, windowMs: 5000))
        for t in 0..<5 {
            #expect(budget.waitMs(nowMs: Int64(t)) == 0)
            budget.spend(nowMs: Int64(t))
        }
        #expect(budget.waitMs(nowMs: 10) == 4990)
        #expect(budget.waitMs(nowMs: 5000) == 0)
    }

    @Test func summarySlotsAreStable() {
        var pages = SummaryPages()
        #expect(pages.sync(live: (1...23).map(String.init)) == [0, 1, 2])
        #expect(pages.pages.map(\.count) == [10, 10, 3])
        let changed = pages.sync(live: (1...23).filter { $0 != 5 }.map(String.init) + ["24"])
        #expect(changed == [0] && pages.page(of: "24") == 0 && pages.page(of: "23") == 2)
    }

    @Test func nonceAndOutcomesAreWhatTheLanesRelyOn() {
        let nonce = PostNonce.make(source: "s", channel: 1, key: .session("a"), anchorMs: 5, attempt: 0)
        #expect(nonce == PostNonce.make(source: "s", channel: 1, key: .session("a"), anchorMs: 5, attempt: 0))
        #expect(nonce != PostNonce.make(source: "s", channel: 1, key: .session("a"), anchorMs: 5, attempt: 1))
        #expect(nonce.count <= 25 && nonce.allSatisfy(\.isNumber))
        #expect(DiscordOutcome.classify(status: 200, body: Array(#"{"id": "123"}"#.utf8)) == .done(messageID: 123))
        #expect(DiscordOutcome.classify(status: 404, body: Array(#"{"code": 10008, "message": "Unknown Message"}"#.utf8)) == .unknownMessage)
        #expect(DiscordOutcome.classify(status: 400, body: Array(#"{"code": 30046, "message": "…"}"#.utf8)) == .tooOldToEdit)
        #expect(DiscordOutcome.classify(status: 429, body: Array(#"{"retry_after": 1.5}"#.utf8)) == .rateLimited(retryAfterMs: 1500))
        #expect(DiscordOutcome.classify(status: 403, body: Array(#"{"code": 50013, "message": "Missing Permissions"}"#.utf8))
            == .channelUnavailable("Missing Permissions (50013)"))
        if case .serverTrouble = DiscordOutcome.classify(status: 502, body: Array("<html>".utf8)) {} else { Issue.record("502 is trouble") }
    }
}
