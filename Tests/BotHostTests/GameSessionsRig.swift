@testable import BotHost
import DiscordEmulator
import Foundation
import GameSessionsCore
import Testing

/// The GameSessions plugin (libGameSessions.so) in a real host (on a manual clock unless a test
/// asks for real time), its Discord REST
/// going to the emulator and its feeds to a loopback server. Polls are triggered on the bus
/// (`gamesessions.poll`) and awaited through `gamesessions.polled`, so nothing depends on timing.
struct GameSessionsRig {
    let emulator: DiscordEmulator
    let feed: GameSessionsFeedServer
    let host: TestHost
    let connection: DiscordConnection
    let library: String
    let config: String
    /// Everything the host and the plugin logged.
    let hostLog: CapturedLog

    /// A plugin config with one source "lobby" (OpenRA format, channel 2001, polled hourly so that
    /// only the test triggers polls) merged with `extra` source keys.
    static func lobbyConfig(_ feed: GameSessionsFeedServer, extra: String = "", pacing: String = "") -> String {
        let more = extra.isEmpty ? "" : ", " + extra
        let pace = pacing.isEmpty ? "" : ", \"pacing\": " + pacing
        return #"{"sources": [{"id": "lobby", "name": "Lobby", "url": \#(jsonString(feed.url("/games"))), "format": "openra", "interval": 3600, "channel": "2001"\#(more)}]\#(pace)}"#
    }

    /// Starts the host with the plugin; waits for the first poll (the plugin polls when it starts).
    static func start(config: (GameSessionsFeedServer) -> String, emulator: DiscordEmulator? = nil,
                      feed: GameSessionsFeedServer? = nil, directory: URL? = nil, library: String? = nil,
                      firstPolls: Int = 1, manualClock: Bool = true) async throws -> GameSessionsRig {
        let givenEmulator = emulator, givenFeed = feed
        let emulator: DiscordEmulator
        if let givenEmulator { emulator = givenEmulator } else { emulator = try await startEmulator() }
        let feed: GameSessionsFeedServer
        if let givenFeed { feed = givenFeed } else { feed = try await GameSessionsFeedServer() }
        let hostLog = CapturedLog()
        let host = try TestHost(directory: directory, manualClock: manualClock, logger: hostLog.logger())
        // REST is usable from here on; the gateway is not needed for what the plugin does.
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [2000])
        let connection = try DiscordConnection(settings: settings, runtime: host.runtime)
        let library = library ?? Fixtures.built("libGameSessions.so")
        let config = config(feed)
        let statuses = try await host.apply(plugins: #"[{"name": "gamesessions", "library": \#(jsonString(library)), "config": \#(config)}]"#)
        guard statuses.first?.state == .running else {
            throw RigFailure(description: "the plugin did not start: \(statuses)")
        }
        let rig = GameSessionsRig(emulator: emulator, feed: feed, host: host, connection: connection, library: library, config: config, hostLog: hostLog)
        guard await eventually({ rig.host.events("gamesessions.polled").count >= firstPolls }) else {
            throw RigFailure(description: "no first poll")
        }
        return rig
    }

    private static func startEmulator() async throws -> DiscordEmulator {
        let emulator = DiscordEmulator(EmulatorConfiguration.gameSessions)
        try await emulator.start()
        return emulator
    }

    /// Stops this host once the plugin is quiet (the plugin stops, nothing is ended) and starts a
    /// new one on the same data, emulator and feed, as a restart does.
    func restart(firstPolls: Int = 1) async throws -> GameSessionsRig {
        #expect(await waitUntilQuiet(), "the plugin still had Discord calls to make or record")
        await stopHost()
        return try await Self.start(config: { _ in config }, emulator: emulator, feed: feed, directory: host.directory,
                                    library: library, firstPolls: firstPolls)
    }

    /// Waits until the plugin has recorded the outcome of every call it made and has nothing left
    /// to send: each stored message record has its message id, no create pending, and shows its
    /// live session's look. (A stop before that is a crash as far as the plugin knows; those are
    /// tested on their own.)
    func waitUntilQuiet() async -> Bool {
        await eventually {
            let store = host.runtime.database.store(for: "gamesessions")
            var sessions: [String: SessionRecord] = [:]
            var posts: [(String, PostRecord)] = []
            try? store.list(prefix: "") { key, value in
                if key.hasPrefix("session|"), let record = try? JSONDecoder().decode(SessionRecord.self, from: Data(value)) {
                    sessions[String(key.split(separator: "|", maxSplits: 2).last ?? "")] = record
                } else if key.hasPrefix("post|"), let record = try? JSONDecoder().decode(PostRecord.self, from: Data(value)) {
                    posts.append((String(key.split(separator: "|", maxSplits: 3).last ?? ""), record))
                }
                return true
            }
            return posts.allSatisfy { name, post in
                guard post.messageID != nil, post.pendingSinceMs == nil else { return false }
                guard name.hasPrefix("s:") else { return true }  // a summary page
                guard let live = sessions[String(name.dropFirst(2))], live.endedAtMs == nil else { return false }
                return post.shownHash == live.hash
            }
        }
    }

    /// The barrier for "no other Discord call": quiet, then a ping through the plugin's executor
    /// (after the host timers due now, which wake paced lanes), then quiet again. The job that
    /// records a call's outcome is the one that decides the next call, and a decided create is
    /// stored as pending before it is sent, an edit as a look not yet shown: the second wait sees
    /// any such call through to Discord, so `calls` is then complete.
    func settle() async -> Bool {
        guard await waitUntilQuiet() else { return false }
        await host.settled("gamesessions")
        return await waitUntilQuiet()
    }

    func stopHost() async {
        await host.shutdown()
        await connection.stop()
    }

    func shutdown() async {
        await stopHost()
        await feed.close()
        await emulator.shutdown()
    }

    // MARK: polls

    /// Polls `source` now and returns its `gamesessions.polled` report.
    @discardableResult
    func poll(_ source: String = "lobby") async throws -> [String: Any] {
        let before = reports(source).count
        try host.publish("gamesessions.poll", #"{"source": \#(jsonString(source))}"#)
        guard await eventually({ reports(source).count > before }) else { throw RigFailure(description: "no poll report for \(source)") }
        return reports(source)[before]
    }

    func reports(_ source: String = "lobby") -> [[String: Any]] {
        host.events("gamesessions.polled").map(Self.object).filter { $0["source"] as? String == source }
    }

    func events(_ topic: String) -> [[String: Any]] {
        host.events(topic).map(Self.object)
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    // MARK: Discord

    /// The plugin's message calls so far, as "POST 2001 <session>", "PATCH 2001 <session>",
    /// "DELETE 2001 <session>" (with " → <status>" when not 2xx), in the order Discord got them.
    var calls: [String] {
        var sessionOfMessage: [String: String] = [:]
        var lines: [String] = []
        for request in emulator.requests {
            let parts = request.path.split(separator: "?").first?.split(separator: "/").map(String.init) ?? []
            // api v10 channels <id> messages [<id>]
            guard parts.count >= 5, parts[2] == "channels", parts[4] == "messages" else { continue }
            let channel = parts[3]
            var session = "?"
            if request.method == "POST" {
                session = Self.postName(request.body)
                if let id = Self.object(request.responseText)["id"] as? String { sessionOfMessage[id] = session }
            } else if parts.count >= 6 {
                session = sessionOfMessage[parts[5]] ?? "?"
            }
            let status = (200..<300).contains(request.status) ? "" : " → \(request.status)"
            lines.append("\(request.method) \(channel) \(session)\(status)")
        }
        return lines
    }

    /// The session id from a create's footer ("Lobby · session 7" → "7"), or the summary title.
    static func postName(_ body: [UInt8]) -> String {
        let embed = ((object(String(decoding: body, as: UTF8.self))["embeds"] as? [[String: Any]])?.first) ?? [:]
        let footer = (embed["footer"] as? [String: Any])?["text"] as? String ?? ""
        if let range = footer.range(of: "session ") { return String(footer[range.upperBound...]) }
        return embed["title"] as? String ?? "?"
    }

    /// Waits until the plugin made `count` message calls; advances the host clock so that paced
    /// calls are let through (the clock is what the plugin paces by).
    func waitForCalls(_ count: Int, pumpClock: Bool = false, timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(timeout: timeout) {
            if pumpClock { host.advance(ms: 1000) }
            return calls.count >= count
        }
    }

    /// The embeds of the messages in a channel, oldest message first (one embed each).
    func embeds(in channel: UInt64 = 2001) -> [[String: Any]] {
        emulator.messages(in: channel).map { message in
            ((try? JSONSerialization.jsonObject(with: Data(message.embedsJSON.utf8))) as? [[String: Any]])?.first ?? [:]
        }
    }

    func titles(in channel: UInt64 = 2001) -> [String] {
        embeds(in: channel).map { $0["title"] as? String ?? "" }
    }

    /// Every request the plugin made checked against Discord's OpenAPI spec.
    func expectSpecValid() {
        for request in emulator.requests where request.path.contains("/channels/") {
            let problems = OpenAPISpec.shared.validate(method: request.method, path: request.path,
                                                       body: request.body.isEmpty ? nil : request.body,
                                                       contentType: request.header("Content-Type"))
            #expect(problems.isEmpty, "\(request.method) \(request.path): \(problems)")
        }
    }

    // MARK: commands and storage

    /// Runs a /sessions command as a user with `permissions`; returns the ephemeral answer's text.
    func command(_ line: String, permissions: UInt64 = 0, channelID: UInt64 = 2001) async throws -> String {
        let responder = RecordingResponder()
        let invocation = try LocalInvocation.parse(line, definitions: host.runtime.commands.definitions, userID: 3000,
                                                   guildID: 2000, channelID: channelID, memberPermissions: permissions)
        try host.runtime.invokeCommand(invocation, responder: responder)
        guard await eventually({ !responder.responses.isEmpty }), let response = responder.responses.first else {
            throw RigFailure(description: "no answer to \(line)")
        }
        #expect(response.isEphemeral, "\(line) should answer ephemerally")
        return Self.object(String(decoding: response.messageJSON, as: UTF8.self))["content"] as? String ?? ""
    }

    /// The plugin's stored keys with a prefix, straight from the host's database.
    func storedKeys(_ prefix: String) throws -> [String] {
        var keys: [String] = []
        try host.runtime.database.store(for: "gamesessions").list(prefix: prefix) { key, _ in
            keys.append(key)
            return true
        }
        return keys
    }
}

struct RigFailure: Error, CustomStringConvertible {
    let description: String
}

extension EmulatorConfiguration {
    /// The sandbox guild with a second text channel (2003) for /sessions watch.
    static var gameSessions: EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.guilds = [EmulatedGuild(
            id: 2000, name: "Sandbox",
            channels: [EmulatedChannel(id: 2001, name: "general", kind: .text), EmulatedChannel(id: 2002, name: "Lounge", kind: .voice),
                       EmulatedChannel(id: 2003, name: "lobbies", kind: .text)],
            members: [EmulatedUser(id: 3000, username: "sandbox-user")], ownerID: 3000)]
        return configuration
    }
}

/// OpenRA master-server JSON for tests: a game is a dictionary of its fields.
enum OpenRAFeedJSON {
    /// A game with the usual fields; `clients` are (name, colour) pairs.
    static func game(_ id: Int, _ name: String, state: Int = 1, players: Int? = nil, maxPlayers: Int = 8,
                     clients: [(String, String)] = [], extra: [String: Any] = [:]) -> [String: Any] {
        var game: [String: Any] = [
            "id": id, "name": name, "address": "203.0.113.\(id % 250):1234", "state": state,
            "players": players ?? clients.count, "maxplayers": maxPlayers, "bots": 0, "spectators": 0,
            "mod": "ra", "version": "release-20231010", "modtitle": "Red Alert", "modwebsite": "https://www.openra.net",
            "modicon32": "https://www.openra.net/images/icons/ra_32x32.png", "map": "0123456789abcdef0123456789abcdef01234567",
            "protected": false, "location": "Germany", "playtime": 0, "ttl": 120,
            "clients": clients.enumerated().map { index, client in
                ["name": client.0, "color": client.1, "faction": "allies", "team": index % 2 + 1, "isadmin": index == 0,
                 "isspectator": false, "isbot": false] as [String: Any]
            },
        ]
        if state == 2 { game["started"] = "2024-05-01 12:00:00" }
        for (key, value) in extra { game[key] = value }
        return game
    }

    static func json(_ games: [[String: Any]]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: games, options: [.sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
