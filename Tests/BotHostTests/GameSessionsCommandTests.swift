import Foundation
import Testing

/// /sessions: a list for anyone, refresh, watch and unwatch for administrators only, and channel
/// changes that outlive restarts.
@Suite struct GameSessionsCommandTests {
    typealias Feed = OpenRAFeedJSON
    static let administrator: UInt64 = 1 << 3
    static let manageGuild: UInt64 = 1 << 5

    @Test func onlyAdministratorsMayRefreshWatchOrUnwatch() async throws {
        let feed = try await GameSessionsFeedServer()
        feed.serve("/games", json: Feed.json([Feed.game(1, "Alpha")]))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        #expect(await rig.settle())
        let polls = feed.hits("/games")
        let reports = rig.reports().count
        let handles = rig.host.registrationCount(of: "gamesessions")
        for line in ["/sessions refresh", "/sessions watch source:lobby channel:2003", "/sessions unwatch source:lobby"] {
            let answer = try await rig.command(line, permissions: 1 << 11)  // SEND_MESSAGES only
            #expect(answer.contains("Only the bot's owners and members with Administrator or Manage Server"), "\(line): \(answer)")
        }
        // Once the plugin has run everything queued so far, a poll a refusal started would be a
        // fetch in flight (a handle more) or done (a hit), a watch a stored key.
        await rig.host.settled("gamesessions")
        #expect(rig.host.registrationCount(of: "gamesessions") == handles, "no fetch in flight")
        #expect(feed.hits("/games") == polls)  // the refusal polled nothing
        #expect(try rig.storedKeys("watch|").isEmpty)

        // Anyone may list; Manage Server may refresh.
        let list = try await rig.command("/sessions list")
        #expect(list.contains("**Lobby** · 1 session") && list.contains("Alpha · 0/8 · Red Alert"), "\(list)")
        let refreshed = try await rig.command("/sessions refresh source:lobby", permissions: Self.manageGuild)
        #expect(refreshed.contains("**Lobby**: 1 session (0 new, 0 changed, 0 ended)"), "\(refreshed)")
        #expect(feed.hits("/games") == polls + 1)
        #expect(rig.reports().count == reports + 1, "one poll since the refusals: the refresh's own")
        await rig.shutdown()
    }

    @Test func watchedAndUnwatchedChannelsAreKeptAcrossRestarts() async throws {
        let feed = try await GameSessionsFeedServer()
        var alpha = Feed.game(1, "Alpha")
        feed.serve("/games", json: Feed.json([alpha, Feed.game(2, "Bravo")]))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        #expect(await rig.waitForCalls(2))

        let watched = try await rig.command("/sessions watch source:lobby channel:2003", permissions: Self.administrator)
        #expect(watched.contains("<#2003> now shows Lobby sessions (2 live right now)"), "\(watched)")
        #expect(await rig.waitForCalls(4))
        #expect(rig.calls.suffix(2) == ["POST 2003 1", "POST 2003 2"])
        #expect(try rig.storedKeys("watch|") == ["watch|lobby"])

        // After a restart both channels still follow the feed: a change is edited in each.
        alpha["name"] = "Alpha renamed"
        feed.serve("/games", json: Feed.json([alpha, Feed.game(2, "Bravo")]))
        let again = try await rig.restart()
        #expect(await again.waitForCalls(6))
        #expect(Set(again.calls.suffix(2)) == ["PATCH 2001 1", "PATCH 2003 1"])
        #expect(again.titles(in: 2003) == ["Alpha renamed", "Bravo"])

        // Unwatch the configured channel: its messages say so once, then it gets nothing more.
        let unwatched = try await again.command("/sessions unwatch source:lobby", permissions: Self.administrator)
        #expect(unwatched.contains("<#2001> no longer shows Lobby sessions"), "\(unwatched)")
        again.host.advance(ms: 5000)
        #expect(await again.waitForCalls(8))
        #expect(again.calls.suffix(2) == ["PATCH 2001 1", "PATCH 2001 2"])
        #expect(again.titles().allSatisfy { $0.hasPrefix("⏹ No longer tracked here") }, "\(again.titles())")

        alpha["name"] = "Alpha once more"
        feed.serve("/games", json: Feed.json([alpha]))
        let third = try await again.restart()
        #expect(await third.waitForCalls(10))
        #expect(await third.settle())
        #expect(third.calls.count == 10)
        #expect(Set(third.calls.suffix(2)) == ["PATCH 2003 1", "PATCH 2003 2"])  // 2001 is left alone
        #expect(third.titles(in: 2003) == ["Alpha once more", "❌ Session Ended: Bravo"])
        await third.shutdown()
    }
}
