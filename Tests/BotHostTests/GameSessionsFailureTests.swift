import Foundation
import Testing

/// A feed that fails is never "no sessions": timeouts, errors, broken JSON and changed shapes end
/// nothing, the plugin says so after a few failures in a row, and it recovers by itself.
@Suite struct GameSessionsFailureTests {
    typealias Feed = OpenRAFeedJSON

    @Test func noKindOfFailedPollEndsASession() async throws {
        let feed = try await GameSessionsFeedServer()
        let games = Feed.json([Feed.game(1, "Alpha"), Feed.game(2, "Bravo")])
        feed.serve("/games", json: games)
        let rig = try await GameSessionsRig.start(
            config: { GameSessionsRig.lobbyConfig($0, extra: #""timeout": 10, "failureThreshold": 3"#) }, feed: feed)
        #expect(await rig.waitForCalls(2))

        let failures: [(GameSessionsFeedServer.Reply, String)] = [
            (.body(#"{"error": "boom"}"#, status: 500), "http_status"),
            (.body("<html>maintenance</html>"), "invalid_json"),
            (.body(#"{"games": []}"#), "wrong_shape"),
            // Far past the 10 s timeout, which itself leaves a slow machine room for the others.
            (.stall(seconds: 120), "timeout"),
            (.body(#"[{"name": "no id"}, 42, null]"#), "no_readable_entries"),
            (.body("", status: 200), "invalid_json"),
        ]
        for (index, (reply, kind)) in failures.enumerated() {
            feed.serve("/games", reply)
            let report = try await rig.poll()
            #expect(report["ok"] as? Bool == false, "\(kind): \(report)")
            #expect(report["kind"] as? String == kind, "\(report)")
            #expect(report["consecutiveFailures"] as? Int == index + 1)
        }
        // Nothing ended, nothing edited.
        #expect(await rig.settle())
        #expect(rig.events("gamesessions.session.ended").isEmpty)
        #expect(rig.calls == ["POST 2001 1", "POST 2001 2"])
        #expect(rig.titles() == ["Alpha", "Bravo"])

        // The third failure in a row was reported once as a status event; later ones were not.
        let statuses = rig.events("gamesessions.status")
        #expect(statuses.count == 1)
        #expect(statuses.first?["state"] as? String == "failing" && statuses.first?["consecutiveFailures"] as? Int == 3)
        #expect(statuses.first?["kind"] as? String == "wrong_shape")

        // The feed answers again: the plugin recovers by itself, says so, and nothing changed.
        feed.serve("/games", json: games)
        let report = try await rig.poll()
        #expect(report["ok"] as? Bool == true && report["sessions"] as? Int == 2 && report["ended"] as? Int == 0)
        #expect(rig.events("gamesessions.status").last?["state"] as? String == "recovered")
        #expect(await rig.settle())
        #expect(rig.calls.count == 2)

        // An empty list, by contrast, is a real answer: the games are over.
        feed.serve("/games", json: "[]")
        rig.host.advance(ms: 5000)
        #expect(try await rig.poll()["ended"] as? Int == 2)
        #expect(await rig.waitForCalls(4))
        #expect(rig.calls.suffix(2) == ["PATCH 2001 1", "PATCH 2001 2"])
        await rig.shutdown()
    }

    @Test func aMalformedEntryIsSkippedAndCountedNotTheList() async throws {
        let feed = try await GameSessionsFeedServer()
        var broken = Feed.game(2, "Bravo")
        broken["players"] = "lots"
        let list = [Feed.game(1, "Alpha"), broken, ["name": "no id"], Feed.game(3, "Charlie")]
        let json = Feed.json(list).replacingOccurrences(of: #"{"name":"no id"}"#, with: #"{"name":"no id"}, "not a game""#)
        feed.serve("/games", json: json)
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        let report = try #require(rig.reports().first)
        #expect(report["ok"] as? Bool == true)
        #expect(report["sessions"] as? Int == 2 && report["skipped"] as? Int == 3, "\(report)")
        #expect(await rig.waitForCalls(2))
        #expect(rig.calls == ["POST 2001 1", "POST 2001 3"])

        // Charlie turns malformed in a later poll: still listed, so it is kept, not ended.
        var charlie = Feed.game(3, "Charlie")
        charlie["maxplayers"] = -4
        feed.serve("/games", json: Feed.json([Feed.game(1, "Alpha"), charlie]))
        let later = try await rig.poll()
        #expect(later["ended"] as? Int == 0 && later["sessions"] as? Int == 2 && later["skipped"] as? Int == 1, "\(later)")
        #expect(await rig.settle())
        #expect(rig.calls.count == 2)
        await rig.shutdown()
    }
}
