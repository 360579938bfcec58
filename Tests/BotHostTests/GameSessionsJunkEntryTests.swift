import Foundation
import Testing

/// An entry that fails validation — no name, a state that is not a game state — beside valid ones
/// is skipped and counted in the source's status; it never becomes an "Unnamed game" post that is
/// later marked ended.
@Suite struct GameSessionsJunkEntryTests {
    typealias Feed = OpenRAFeedJSON

    @Test func junkEntriesMixedIntoAValidFeedNeverReachDiscord() async throws {
        let feed = try await GameSessionsFeedServer()
        let valid = Feed.json([Feed.game(1, "Alpha"), Feed.game(2, "Bravo")])
        let junk = [#"{"id": "broken", "name": null, "state": "x"}"#, #"{"id": "nameless", "state": 1}"#,
                    #"{"id": "stateless", "name": "Charlie"}"#, #"{"id": "blank", "name": "  ", "state": 2}"#]
        let mixed = "[" + junk[0] + "," + valid.dropFirst().dropLast() + "," + junk.dropFirst().joined(separator: ",") + "]"
        feed.serve("/games", json: mixed)
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        #expect(await rig.waitForCalls(2))

        for _ in 0..<3 {
            let report = try await rig.poll()
            #expect(report["ok"] as? Bool == true, "\(report)")
            #expect(report["sessions"] as? Int == 2)
            #expect(report["skipped"] as? Int == 4, "\(report)")
            let notes = report["skipNotes"] as? [String] ?? []
            #expect(notes.contains { $0.contains("\"name\" is missing or empty") }, "\(notes)")
            #expect(notes.contains { $0.contains("\"state\" is missing") }, "\(notes)")
        }
        // Then the junk goes away and the feed is otherwise unchanged: nothing is ended or edited,
        // because nothing was ever posted for it.
        feed.serve("/games", json: valid)
        rig.host.advance(ms: 5000)
        let report = try await rig.poll()
        #expect(report["ended"] as? Int == 0 && report["skipped"] as? Int == 0, "\(report)")
        #expect(rig.calls == ["POST 2001 1", "POST 2001 2"])
        #expect(rig.titles() == ["Alpha", "Bravo"])
        #expect(!rig.titles().contains { $0.contains("Unnamed") })
        #expect(rig.events("gamesessions.session.started").count == 2)
        await rig.shutdown()
    }
}
