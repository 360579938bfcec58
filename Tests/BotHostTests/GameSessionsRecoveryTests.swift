@testable import BotHost
import DiscordEmulator
import Foundation
import GameSessionsCore
import Testing

/// Restarts, crashes and messages that can no longer be edited: the plugin keeps one message per
/// session whatever happens, and picks up where it was.
@Suite struct GameSessionsRecoveryTests {
    typealias Feed = OpenRAFeedJSON

    @Test func aRestartEditsTheSameMessagesAndEndsWhatVanishedWhileDown() async throws {
        let feed = try await GameSessionsFeedServer()
        feed.serve("/games", json: Feed.json([Feed.game(1, "Alpha"), Feed.game(2, "Bravo")]))
        let first = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        #expect(await first.waitForCalls(2))

        // Stopping the plugin ends nothing: the games are still on.
        #expect(await first.waitUntilQuiet())
        // Once stopHost returns the plugin has stopped and its Discord client is shut: nothing of
        // it is left to end or send anything.
        await first.stopHost()
        #expect(first.events("gamesessions.session.ended").isEmpty)
        #expect(first.calls == ["POST 2001 1", "POST 2001 2"])
        #expect(first.titles() == ["Alpha", "Bravo"])

        // While it is down: Alpha changes, Bravo ends, Charlie opens.
        var alpha = Feed.game(1, "Alpha")
        alpha["name"] = "Alpha (full)"
        feed.serve("/games", json: Feed.json([alpha, Feed.game(3, "Charlie")]))
        let second = try await first.restart()
        #expect(await second.waitForCalls(5))
        #expect(await second.settle())
        #expect(second.calls == ["POST 2001 1", "POST 2001 2", "PATCH 2001 1", "POST 2001 3", "PATCH 2001 2"])
        #expect(second.titles() == ["Alpha (full)", "❌ Session Ended: Bravo", "Charlie"])
        #expect(second.events("gamesessions.session.ended").map { $0["id"] as? String } == ["2"])
        second.expectSpecValid()
        await second.shutdown()
    }

    /// The moment a crash hurts most: the create reached Discord, the plugin died before it stored
    /// the message id. Its storage then holds the pending create; the message exists. After the
    /// restart the create is repeated under the same nonce and Discord hands back that message.
    @Test func aCreateCutShortByACrashIsNotPostedTwice() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration.gameSessions)
        try await emulator.start()
        let feed = try await GameSessionsFeedServer()
        let alphaJSON = Feed.json([Feed.game(1, "Alpha")])
        feed.serve("/games", json: alphaJSON)
        let directory = Fixtures.temporaryDirectory("gamesessions-crash")

        // What the plugin had done when it was killed, at the host's (manual) time T.
        let prepare = try TestHost(directory: directory)
        let firstSeen = prepare.runtime.clock.nowMs()
        let session = try #require(try FeedParser.parse(Array(alphaJSON.utf8), format: .openra, nowMs: firstSeen).sessions.first)
        let look = SessionBook(sourceName: "Lobby").render(session, firstSeenMs: firstSeen)
        let nonce = PostNonce.make(source: "lobby", channel: 2001, key: .session("1"), anchorMs: firstSeen, attempt: 0)
        let rest = try DiscordREST(baseURL: emulator.apiBaseURL, token: "sandbox-token", logger: prepare.runtime.logger)
        let created = try await rest.send("POST", "/channels/2001/messages", json: look.createBody(nonce: nonce))
        #expect(created.status == 200)
        await rest.shutdown()
        var pending = PostRecord(anchorMs: firstSeen)
        pending.pendingSinceMs = firstSeen
        pending.pendingHash = look.hash
        let store = prepare.runtime.database.store(for: "gamesessions")
        try store.set("session|lobby|1", Array(JSONEncoder().encode(SessionRecord(TrackedSession(session: session, hash: look.hash, firstSeenMs: firstSeen)))))
        try store.set("post|2001|lobby|s:1", Array(JSONEncoder().encode(pending)))
        await prepare.shutdown()

        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, emulator: emulator, feed: feed,
                                                  directory: directory)
        #expect(await rig.waitForCalls(2))
        #expect(await rig.settle())
        #expect(rig.calls == ["POST 2001 1", "POST 2001 1"])  // the crashed create, then its repeat
        #expect(emulator.messages(in: 2001).count == 1)
        let repeated = try #require(emulator.requests.last { $0.method == "POST" })
        #expect(repeated.bodyText.contains(#""nonce":"\#(nonce)""#) && repeated.bodyText.contains(#""enforce_nonce":true"#))

        // And the message is the plugin's from now on: the next change edits it.
        var alpha = Feed.game(1, "Alpha")
        alpha["name"] = "Alpha again"
        feed.serve("/games", json: Feed.json([alpha]))
        rig.host.advance(ms: 5000)
        try await rig.poll()
        #expect(await rig.waitForCalls(3))
        #expect(rig.calls.last == "PATCH 2001 1")
        #expect(emulator.messages(in: 2001).count == 1)
        #expect(rig.titles() == ["Alpha again"])
        await rig.shutdown()
    }

    @Test func aDeletedMessageIsPostedAgainAndRemembered() async throws {
        let feed = try await GameSessionsFeedServer()
        var alpha = Feed.game(1, "Alpha")
        feed.serve("/games", json: Feed.json([alpha]))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        #expect(await rig.waitForCalls(1))
        let original = try #require(rig.emulator.messages(in: 2001).first?.id)
        #expect(rig.emulator.moderatorDeletesMessage(channelID: 2001, messageID: original))

        alpha["players"] = 3
        feed.serve("/games", json: Feed.json([alpha]))
        rig.host.advance(ms: 5000)
        try await rig.poll()
        #expect(await rig.waitForCalls(3))
        #expect(rig.calls == ["POST 2001 1", "PATCH 2001 1 → 404", "POST 2001 1"])
        let fresh = try #require(rig.emulator.messages(in: 2001).first)
        #expect(rig.emulator.messages(in: 2001).count == 1 && fresh.id != original)

        // Remembered, also across a restart: the next change edits the fresh message.
        alpha["players"] = 4
        feed.serve("/games", json: Feed.json([alpha]))
        let again = try await rig.restart()
        #expect(await again.waitForCalls(4))
        #expect(again.calls.last == "PATCH 2001 1")
        #expect(again.emulator.requests.last?.path.hasSuffix("/messages/\(fresh.id)") == true)
        #expect(again.emulator.messages(in: 2001).count == 1)
        await again.shutdown()
    }

    @Test func aMessageTooOldToEditIsReplacedByAFreshOne() async throws {
        let feed = try await GameSessionsFeedServer()
        var alpha = Feed.game(1, "Alpha")
        feed.serve("/games", json: Feed.json([alpha]))
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        #expect(await rig.waitForCalls(1))
        let original = try #require(rig.emulator.messages(in: 2001).first?.id)

        // An hour later Discord allows a few more edits of the message, then answers 30046.
        rig.emulator.advanceClock(ms: 61 * 60 * 1000)
        for players in 2...5 {
            alpha["players"] = players
            feed.serve("/games", json: Feed.json([alpha]))
            rig.host.advance(ms: 5000)
            try await rig.poll()
            #expect(await rig.waitForCalls(players))
        }
        #expect(await rig.waitForCalls(7))
        #expect(rig.calls == ["POST 2001 1", "PATCH 2001 1", "PATCH 2001 1", "PATCH 2001 1", "PATCH 2001 1 → 400",
                              "POST 2001 1", "DELETE 2001 1"])
        let messages = rig.emulator.messages(in: 2001)
        #expect(messages.count == 1 && messages.first?.id != original)
        let players = ((rig.embeds().first?["fields"] as? [[String: Any]]) ?? []).first { $0["name"] as? String == "Players" }
        #expect(players?["value"] as? String == "5/8")

        // The fresh message is the one edited from now on.
        alpha["players"] = 6
        feed.serve("/games", json: Feed.json([alpha]))
        rig.host.advance(ms: 5000)
        try await rig.poll()
        #expect(await rig.waitForCalls(8))
        #expect(rig.calls.last == "PATCH 2001 1")
        #expect(rig.emulator.requests.last?.path.hasSuffix("/messages/\(messages.first?.id ?? 0)") == true)
        rig.expectSpecValid()
        await rig.shutdown()
    }
}
