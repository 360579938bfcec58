import DiscordEmulator
import Foundation
import Testing

/// A busy network: 200 sessions in 20 channels that all change in three polls in a row. The
/// plugin's lanes send one call per channel at a time, within the channel's budget and half the
/// bot's global one, and coalesce what waits: Discord sees no 429, and a message is edited with
/// its latest look, not once per poll.
@Suite struct GameSessionsChurnTests {
    typealias Feed = OpenRAFeedJSON
    static let channels: [UInt64] = (1...20).map { 2100 + UInt64($0) }

    static func games(_ source: Int, round: Int) -> String {
        Feed.json((1...10).map { index in
            Feed.game(source * 100 + index, "Game \(source)-\(index) r\(round)", players: round % 8, maxPlayers: 8)
        })
    }

    @Test func twoHundredChurningSessionsCauseNo429AndNoBacklog() async throws {
        var configuration = EmulatorConfiguration.gameSessions
        configuration.guilds[0].channels += Self.channels.map { EmulatedChannel(id: $0, name: "lobby-\($0)", kind: .text) }
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        let feed = try await GameSessionsFeedServer()
        for source in 1...20 { feed.serve("/g\(source)", json: Self.games(source, round: 0)) }
        let sources = (1...20).map { source in
            #"{"id": "s\#(source)", "url": \#(jsonString(feed.url("/g\(source)"))), "interval": 3600, "channel": "\#(Self.channels[source - 1])"}"#
        }
        // Real time: the plugin paces by the host clock, and here that has to be Discord's clock.
        let rig = try await GameSessionsRig.start(config: { _ in #"{"sources": [\#(sources.joined(separator: ","))]}"# },
                                                  emulator: emulator, feed: feed, firstPolls: 20, manualClock: false)
        #expect(await rig.waitForCalls(200, timeout: .seconds(60)))
        #expect(Set(rig.calls).count == 200)  // one create per session

        // Three polls in a row change every session.
        for round in 1...3 {
            for source in 1...20 { feed.serve("/g\(source)", json: Self.games(source, round: round)) }
            let before = rig.host.events("gamesessions.polled").count
            try rig.host.publish("gamesessions.poll", "{}")
            #expect(await eventually { rig.host.events("gamesessions.polled").count >= before + 20 })
        }
        let settled = await eventually(timeout: .seconds(60)) {
            Self.channels.allSatisfy { channel in rig.titles(in: channel).allSatisfy { $0.hasSuffix(" r3") } }
        }
        #expect(settled)
        let requests = rig.emulator.requests.filter { $0.path.contains("/channels/") }
        let limited = requests.filter { $0.status == 429 }
        #expect(limited.isEmpty, "\(limited.count) 429s, e.g. \(limited.first.map { "\($0.method) \($0.path) \($0.responseText) \($0.responseHeaders)" } ?? "")")
        #expect(requests.allSatisfy { (200..<300).contains($0.status) })
        // 600 looks were produced; a look replaced before its turn is never sent, so no message is
        // edited more often than its look changed (3), and every message got its latest look. How
        // many intermediate looks got out depends on how fast the three polls came in (on an idle
        // machine within one pacing window: at most 5 per channel), so only the bound that holds
        // at any speed is asserted.
        let edits = requests.filter { $0.method == "PATCH" }.count
        #expect(edits >= 200 && edits <= 600, "\(edits) edits")
        let messages = Self.channels.flatMap { rig.emulator.messages(in: $0) }
        #expect(messages.count == 200)
        #expect(messages.allSatisfy { $0.editCount <= 3 }, "\(messages.map(\.editCount).max() ?? 0) edits of one message")
        await rig.shutdown()
    }
}
