@testable import BotHost
import Foundation
import Testing

/// GameSessions under config edits: plugins.json is rewritten on disk under the running host and
/// read by its real watcher. Sources come and go and change their interval without a restart.
@Suite struct GameSessionsLiveConfigTests {
    /// The plugin's entry with `sources` (source objects as JSON text).
    static func plugins(_ rig: GameSessionsRig, sources: [String]) -> String {
        #"[{"name": "gamesessions", "library": \#(jsonString(rig.library)), "config": {"sources": [\#(sources.joined(separator: ", "))]}}]"#
    }

    static func lobby(_ feed: GameSessionsFeedServer, interval: Int) -> String {
        #"{"id": "lobby", "name": "Lobby", "url": \#(jsonString(feed.url("/games"))), "format": "openra", "interval": \#(interval), "channel": "2001"}"#
    }

    static func other(_ feed: GameSessionsFeedServer) -> String {
        #"{"id": "other", "url": \#(jsonString(feed.url("/other"))), "format": "openra", "interval": 10}"#
    }

    @Test func sourcesComeAndGoAndIntervalsChangeWithoutARestart() async throws {
        let feed = try await GameSessionsFeedServer()
        feed.serve("/games", json: "[]")
        feed.serve("/other", json: "[]")
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        let file = try WatchedPluginsFile(host: rig.host, hostLog: rig.hostLog,
                                          plugins: Self.plugins(rig, sources: [Self.lobby(feed, interval: 3600)]))
        #expect(await eventually { rig.host.starts(of: "gamesessions") == 1 })
        // Quiet (no poll in flight): the handles are the commands, subscription, hooks and timers.
        #expect(await eventually { rig.host.registrationCount(of: "gamesessions") != nil })
        let baseline = try #require(rig.host.registrationCount(of: "gamesessions"))

        // A new source is polled at once; the lobby's interval drops from an hour to 10 s.
        let added = try await file.edit(plugins: Self.plugins(rig, sources: [Self.lobby(feed, interval: 10), Self.other(feed)]),
                                        awaiting: "gamesessions")
        #expect(added.contains("applied its new config"), "\(added)")
        #expect(await eventually { rig.reports("other").count == 1 })
        #expect(await eventually { rig.host.registrationCount(of: "gamesessions") == baseline + 1 }, "one more timer")
        let lobbyPolls = rig.reports("lobby").count
        rig.host.advance(ms: 10_000)
        #expect(await eventually { rig.reports("lobby").count > lobbyPolls }, "the lobby follows its new interval")

        // A removed source's timer goes; the lobby goes on.
        let removed = try await file.edit(plugins: Self.plugins(rig, sources: [Self.lobby(feed, interval: 10)]),
                                          awaiting: "gamesessions")
        #expect(removed.contains("applied its new config"), "\(removed)")
        #expect(await eventually { rig.host.registrationCount(of: "gamesessions") == baseline }, "the other source's timer is gone")
        let otherPolls = rig.reports("other").count
        let lobbyPollsBefore = rig.reports("lobby").count
        rig.host.advance(ms: 10_000)
        #expect(await eventually { rig.reports("lobby").count > lobbyPollsBefore })
        #expect(await eventually { rig.host.registrationCount(of: "gamesessions") == baseline }, "every poll finished")
        #expect(rig.reports("other").count == otherPolls)

        // An invalid interval is refused with the field; the 10 s interval stays in force.
        let refused = try await file.edit(plugins: Self.plugins(rig, sources: [Self.lobby(feed, interval: 5)]),
                                          awaiting: "gamesessions")
        #expect(refused.contains("refused its new config"), "\(refused)")
        #expect(rig.hostLog.all.contains { $0.contains("new config refused") && $0.contains("sources[0].interval") },
                "the plugin names the field")
        let lobbyPollsAfter = rig.reports("lobby").count
        rig.host.advance(ms: 10_000)
        #expect(await eventually { rig.reports("lobby").count > lobbyPollsAfter })
        #expect(rig.host.starts(of: "gamesessions") == 1, "the plugin was never restarted")
        await rig.shutdown()
    }

    @Test func aChangeToWhatMessagesShowRestartsThePlugin() async throws {
        let feed = try await GameSessionsFeedServer()
        feed.serve("/games", json: "[]")
        let rig = try await GameSessionsRig.start(config: { GameSessionsRig.lobbyConfig($0) }, feed: feed)
        let file = try WatchedPluginsFile(host: rig.host, hostLog: rig.hostLog,
                                          plugins: Self.plugins(rig, sources: [Self.lobby(feed, interval: 3600)]))
        let renamed = Self.lobby(feed, interval: 3600).replacingOccurrences(of: #""name": "Lobby""#, with: #""name": "Arena""#)
        let verdict = try await file.edit(plugins: Self.plugins(rig, sources: [renamed]), awaiting: "gamesessions")
        #expect(verdict.contains("its config changed"), "\(verdict)")
        #expect(await eventually { rig.host.starts(of: "gamesessions") == 2 })
        #expect(await rig.host.status("gamesessions")?.state == .running)
        await rig.shutdown()
    }
}
