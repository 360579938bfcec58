import Foundation
import Testing

/// Summary mode, for busy feeds: up to ten sessions per message, each keeping its slot, so a
/// change edits one message.
@Suite struct GameSessionsSummaryTests {
    typealias Feed = OpenRAFeedJSON

    @Test func sessionsArePackedTenPerMessageAndAChangeEditsOnlyItsPage() async throws {
        let feed = try await GameSessionsFeedServer()
        var games = (1...23).map { Feed.game($0, "Game \($0)") }
        feed.serve("/games", json: Feed.json(games))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0, extra: #""mode": "summary""#) }, feed: feed)
        #expect(await rig.waitForCalls(3))
        #expect(rig.calls == ["POST 2001 Lobby: game sessions", "POST 2001 Lobby: game sessions (2)", "POST 2001 Lobby: game sessions (3)"])
        let fieldCounts = rig.embeds().map { ($0["fields"] as? [[String: Any]])?.count ?? 0 }
        #expect(fieldCounts == [10, 10, 3])

        // Game 12 (page 2) ends and game 24 opens: it takes the free slot, so only page 2 changes.
        games.remove(at: 11)
        games.append(Feed.game(24, "Game 24"))
        feed.serve("/games", json: Feed.json(games))
        rig.host.advance(ms: 5000)
        let report = try await rig.poll()
        #expect(report["started"] as? Int == 1 && report["ended"] as? Int == 1)
        #expect(await rig.waitForCalls(4))
        #expect(await rig.settle())
        #expect(rig.calls.count == 4)
        let page2 = rig.embeds()[1]["fields"] as? [[String: Any]] ?? []
        #expect(page2.map { $0["name"] as? String ?? "" }.contains("🟢 Game 24"))
        #expect(!page2.map { $0["name"] as? String ?? "" }.contains("🟢 Game 12"))
        #expect(rig.events("gamesessions.session.ended").map { $0["id"] as? String } == ["12"])
        rig.expectSpecValid()
        await rig.shutdown()
    }
}
