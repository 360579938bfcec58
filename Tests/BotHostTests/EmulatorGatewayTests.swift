@testable import DiscordEmulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite struct EmulatorGatewayTests {
    /// As on Discord (discord.com vs gateway.discord.gg), the gateway is a host of its own: a
    /// client that pools HTTP connections never asks for the upgrade on a kept-alive REST one.
    @Test func theGatewayHasAHostOfItsOwn() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        #expect(emulator.gatewayPort != emulator.port)
        #expect(emulator.gatewayURL == "ws://127.0.0.1:\(emulator.gatewayPort)/gateway")
        #expect(emulator.resumeGatewayURL == "ws://127.0.0.1:\(emulator.gatewayPort)/gateway/resume")
        let gatewayBot = try await emulatorCall(emulator, "GET", "/gateway/bot")
        #expect(gatewayBot.object?["url"] as? String == emulator.gatewayURL)

        // Each host answers only its own paths.
        for wrongHost in ["http://127.0.0.1:\(emulator.port)/gateway?v=10&encoding=json", "http://127.0.0.1:\(emulator.gatewayPort)/api/v10/gateway"] {
            guard let url = URL(string: wrongHost) else { throw URLError(.badURL) }
            let (_, response) = try await URLSession.shared.data(from: url)
            #expect((response as? HTTPURLResponse)?.statusCode == 404, "\(wrongHost)")
        }

        let client = try await GatewayTestClient.connect(emulator.gatewayURL)
        #expect(await client.next(op: 10) != nil)
    }

    @Test func helloIdentifyReadyGuildCreateAndHeartbeatACKs() async throws {
        let emulator = try await startedEmulator { $0.heartbeatIntervalMs = 1234 }
        defer { Task { await emulator.shutdown() } }
        let client = try await GatewayTestClient.connect(emulator.gatewayURL)

        let hello = await client.next(op: 10)
        #expect((hello?["d"] as? [String: Any])?["heartbeat_interval"] as? Int == 1234)

        let ready = try #require(try await client.identify())
        #expect(ready["v"] as? Int == 10)
        #expect((ready["user"] as? [String: Any])?["id"] as? String == "1001")
        #expect((ready["guilds"] as? [[String: Any]])?.map { $0["id"] as? String } == ["2000"])
        #expect((ready["guilds"] as? [[String: Any]])?.first?["unavailable"] as? Bool == true)
        #expect((ready["session_id"] as? String)?.count == 32)
        #expect(ready["resume_gateway_url"] as? String == emulator.resumeGatewayURL)
        #expect((ready["application"] as? [String: Any])?["id"] as? String == "1000")

        let guildCreate = try #require(await client.next(event: "GUILD_CREATE"))
        #expect(guildCreate["s"] as? Int == 2)
        let guild = guildCreate["d"] as? [String: Any]
        #expect((guild?["channels"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["general", "Lounge"])
        #expect((guild?["members"] as? [[String: Any]])?.count == 2)
        #expect(guild?["voice_states"] is [Any])

        try await client.send(#"{"op":1,"d":2}"#)
        #expect(await client.next(op: 11) != nil)

        // With ACKs stopped a heartbeat goes unanswered, which is how a client detects a zombie.
        emulator.inject(.stopHeartbeatACKs)
        try await client.send(#"{"op":1,"d":2}"#)
        #expect(await client.next(op: 11, timeout: .milliseconds(300)) == nil)
        emulator.inject(.resumeHeartbeatACKs)
        try await client.send(#"{"op":1,"d":2}"#)
        #expect(await client.next(op: 11) != nil)

        let sent = emulator.gatewayEvents.filter { $0.direction == .sent && $0.op == 0 }
        #expect(sent.prefix(2).map(\.t) == ["READY", "GUILD_CREATE"])
        #expect(sent.prefix(2).map(\.s) == [1, 2])
        #expect(emulator.gatewayEvents.contains { $0.direction == .received && $0.op == 2 })
        await client.disconnect()
    }

    @Test func identifyProblemsCloseWithDiscordsCodes() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        func closeCode(_ payloads: [String], query: String? = nil) async throws -> UInt16? {
            emulator.advanceClock(ms: 5_000)  // keep the identify bucket free between cases
            let client = try await GatewayTestClient.connect(emulator.gatewayURL, query: query)
            for payload in payloads { try await client.send(payload) }
            let code = await client.closeCode()
            await client.disconnect()
            return code
        }
        let identify = #"{"op":2,"d":{"token":"sandbox-token","intents":513,"properties":{}}}"#
        #expect(try await closeCode([#"{"op":2,"d":{"token":"wrong","intents":513,"properties":{}}}"#]) == 4004)
        #expect(try await closeCode([#"{"op":2,"d":{"token":"sandbox-token","intents":32768,"properties":{}}}"#]) == 4014)
        #expect(try await closeCode([#"{"op":2,"d":{"token":"sandbox-token","intents":4194304,"properties":{}}}"#]) == 4013)
        #expect(try await closeCode([#"{"op":2,"d":{"token":"sandbox-token","intents":513,"properties":{},"shard":[2,2]}}"#]) == 4010)
        #expect(try await closeCode([#"{"op":3,"d":{"status":"online","since":null,"activities":[],"afk":false}}"#]) == 4003)
        #expect(try await closeCode([#"{"op":5,"d":null}"#]) == 4001)
        #expect(try await closeCode([identify, identify]) == 4005)
        #expect(try await closeCode([#"{"op":1,"d":""# + String(repeating: "x", count: 5000) + #""}"#]) == 4002)
        #expect(try await closeCode(["not json"]) == 4002)
        #expect(try await closeCode([], query: "v=6&encoding=json") == 4012)
        let outcomes = emulator.identifies.map(\.outcome)
        #expect(outcomes.first == .closed(code: 4004))
        #expect(outcomes.contains { if case .accepted = $0 { true } else { false } })
    }

    @Test func moreThan120PayloadsInAMinuteClose4008() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let client = try await GatewayTestClient.connect(emulator.gatewayURL)
        for _ in 0..<120 { try await client.send(#"{"op":1,"d":null}"#) }
        #expect(await client.closeCode(timeout: .milliseconds(300)) == nil)
        try await client.send(#"{"op":1,"d":null}"#)
        #expect(await client.closeCode() == 4008)
        await client.disconnect()
    }

    @Test func resumeReplaysMissedDispatchesInOrderThenResumed() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let first = try await GatewayTestClient.connect(emulator.gatewayURL)
        let ready = try #require(try await first.identify())
        let sessionID = try #require(ready["session_id"] as? String)
        #expect(await first.next(event: "GUILD_CREATE") != nil)
        emulator.dispatch("TEST_EVENT", json: #"{"n":0,"guild_id":"2000"}"#)
        let seen = try #require(await first.next(event: "TEST_EVENT"))
        let lastSeq = try #require(seen["s"] as? Int)

        emulator.inject(.dropConnections)
        #expect(await first.disconnected())
        #expect(try await first.closeCode(timeout: .milliseconds(100)) == nil)  // a drop, not a close frame
        for n in 1...3 { emulator.dispatch("TEST_EVENT", json: #"{"n":\#(n),"guild_id":"2000"}"#) }

        let second = try await GatewayTestClient.connect(emulator.resumeGatewayURL)
        try await second.send(#"{"op":6,"d":{"token":"sandbox-token","session_id":"\#(sessionID)","seq":\#(lastSeq)}}"#)
        var replayed: [(n: Int?, s: Int?)] = []
        for _ in 1...3 {
            let event = await second.next(event: "TEST_EVENT")
            replayed.append(((event?["d"] as? [String: Any])?["n"] as? Int, event?["s"] as? Int))
        }
        #expect(replayed.map(\.n) == [1, 2, 3])
        #expect(replayed.map(\.s) == [lastSeq + 1, lastSeq + 2, lastSeq + 3])
        let resumed = await second.next(event: "RESUMED")
        #expect(resumed?["s"] as? Int == lastSeq + 4)

        // New events keep flowing on the resumed session.
        emulator.dispatch("TEST_EVENT", json: #"{"n":4,"guild_id":"2000"}"#)
        #expect(await second.next(event: "TEST_EVENT")?["s"] as? Int == lastSeq + 5)

        // An unknown session, or a seq from the future, cannot be resumed.
        let third = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await third.send(#"{"op":6,"d":{"token":"sandbox-token","session_id":"nope","seq":1}}"#)
        #expect((await third.next(op: 9))?["d"] as? Bool == false)
        let fourth = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await fourth.send(#"{"op":6,"d":{"token":"sandbox-token","session_id":"\#(sessionID)","seq":9999}}"#)
        #expect((await fourth.next(op: 9))?["d"] as? Bool == false)
        for client in [second, third, fourth] { await client.disconnect() }
    }

    @Test func reconnectInvalidSessionAndCloseCanBeInjected() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let client = try await GatewayTestClient.connect(emulator.gatewayURL)
        let ready = try #require(try await client.identify())
        let sessionID = try #require(ready["session_id"] as? String)

        emulator.inject(.reconnect)
        #expect(await client.next(op: 7) != nil)
        emulator.inject(.requestHeartbeat)
        #expect((await client.next(op: 1))?["d"] as? Int == 2)  // READY and GUILD_CREATE so far
        emulator.inject(.invalidSession(resumable: true))
        #expect((await client.next(op: 9))?["d"] as? Bool == true)
        emulator.inject(.invalidSession(resumable: false))
        #expect((await client.next(op: 9))?["d"] as? Bool == false)

        // That session is over: resuming it is refused.
        let other = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await other.send(#"{"op":6,"d":{"token":"sandbox-token","session_id":"\#(sessionID)","seq":1}}"#)
        #expect((await other.next(op: 9))?["d"] as? Bool == false)

        emulator.inject(.close(code: 4000))
        #expect(await client.closeCode() == 4000)
        #expect(emulator.faults.contains { $0.description == "gateway close 4000" && $0.affected == 2 })
        #expect(emulator.gatewayEvents.contains { $0.direction == .sent && $0.closeCode == 4000 })
        await client.disconnect()
        await other.disconnect()
    }

    @Test func zlibStreamFramesEndWithSyncFlushAndInflateToJSON() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let client = try await GatewayTestClient.connect(emulator.gatewayURL, compress: true)
        let hello = await client.next(op: 10)
        #expect(hello != nil)
        let ready = try await client.identify()
        #expect(ready?["session_id"] is String)
        #expect(await client.next(event: "GUILD_CREATE") != nil)
        let frames = client.binaryFrames
        #expect(frames.count >= 3)
        #expect(frames.allSatisfy { $0.suffix(4) == [0x00, 0x00, 0xFF, 0xFF] })
        // One stream per connection: the first frame opens it with the zlib header, and a later
        // frame means nothing to a fresh inflate context.
        #expect(frames.first?.prefix(2) == [0x78, 0x9C])
        let alone = String(decoding: ZlibInflater().inflate(frames[2]), as: UTF8.self)
        #expect(GatewayTestClient.object(alone) == nil)
        #expect(emulator.gatewayEvents.filter { $0.direction == .sent }.count == frames.count)
        await client.disconnect()
    }

    @Test func shardsGetTheirOwnGuildsAndIdentifiesRespectMaxConcurrency() async throws {
        let emulator = try await startedEmulator { $0.extraGuildCount = 10; $0.shardCount = 2 }
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        let shard0 = try await GatewayTestClient.connect(emulator.gatewayURL)
        let ready0 = try #require(try await shard0.identify(shard: (0, 2)))
        #expect(ready0["shard"] as? [Int] == [0, 2])
        let ids0 = (ready0["guilds"] as? [[String: Any]])?.compactMap { ($0["id"] as? String).flatMap(UInt64.init) } ?? []
        #expect(!ids0.isEmpty && ids0.allSatisfy { ($0 >> 22) % 2 == 0 })

        // max_concurrency 1: the second shard may not identify within 5 s of the first.
        let shard1 = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await shard1.send(#"{"op":2,"d":{"token":"sandbox-token","intents":513,"properties":{},"shard":[1,2]}}"#)
        #expect((await shard1.next(op: 9))?["d"] as? Bool == false)
        emulator.advanceClock(ms: 5_000)
        let ready1 = try #require(try await shard1.identify(shard: (1, 2)))
        let ids1 = (ready1["guilds"] as? [[String: Any]])?.compactMap { ($0["id"] as? String).flatMap(UInt64.init) } ?? []
        #expect(!ids1.isEmpty && ids1.allSatisfy { ($0 >> 22) % 2 == 1 })
        #expect(Set(ids0).union(ids1).count == 11)
        #expect(emulator.identifies.map(\.outcome.isAccepted) == [true, false, true])

        // A guild's events go to the shard that owns it.
        let guild1 = try #require(ids1.first)
        emulator.dispatch("TEST_EVENT", json: #"{"guild_id":"\#(guild1)"}"#)
        #expect(await shard1.next(event: "TEST_EVENT") != nil)
        #expect(await shard0.next(event: "TEST_EVENT", timeout: .milliseconds(200)) == nil)
        await shard0.disconnect()
        await shard1.disconnect()
    }

    @Test func moreThan2500GuildsOnAShardNeedSharding() async throws {
        let emulator = try await startedEmulator { $0.extraGuildCount = 2500; $0.shardCount = 2 }
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        let unsharded = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await unsharded.send(#"{"op":2,"d":{"token":"sandbox-token","intents":1,"properties":{}}}"#)
        #expect(await unsharded.closeCode() == 4011)

        emulator.advanceClock(ms: 5_000)
        let shard = try await GatewayTestClient.connect(emulator.gatewayURL)
        let ready = try #require(try await shard.identify(intents: 1, shard: (0, 2)))
        let guilds = (ready["guilds"] as? [[String: Any]]) ?? []
        #expect(guilds.count > 1000 && guilds.count <= 2500)
        // Every guild of the shard follows as GUILD_CREATE.
        for _ in guilds { _ = await shard.next(event: "GUILD_CREATE") }
        let sent = emulator.gatewayEvents.filter { $0.t == "GUILD_CREATE" && $0.connectionID == 2 }
        #expect(sent.count == guilds.count)
        await shard.disconnect()
    }

    @Test func userMessagesArriveWithContentOnlyForTheMessageContentIntent() async throws {
        let emulator = try await startedEmulator { $0.privilegedIntentsAllowed = 1 << 15 }
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        let withoutContent = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await withoutContent.identify(intents: 1 | 1 << 9)
        emulator.advanceClock(ms: 5_000)
        let withContent = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await withContent.identify(intents: 1 | 1 << 9 | 1 << 15)

        let id = emulator.userSendsMessage(channelID: 2001, content: "!roll 2d6")
        let full = (await withContent.next(event: "MESSAGE_CREATE"))?["d"] as? [String: Any]
        #expect(full?["id"] as? String == String(id))
        #expect(full?["content"] as? String == "!roll 2d6")
        #expect(full?["guild_id"] as? String == "2000")
        #expect((full?["author"] as? [String: Any])?["id"] as? String == "3000")
        #expect(full?["member"] is [String: Any])
        let redacted = (await withoutContent.next(event: "MESSAGE_CREATE"))?["d"] as? [String: Any]
        #expect(redacted?["content"] as? String == "")
        // A mention of the bot carries content regardless.
        emulator.userSendsMessage(channelID: 2001, content: "<@1001> hi")
        #expect(((await withoutContent.next(event: "MESSAGE_CREATE"))?["d"] as? [String: Any])?["content"] as? String == "<@1001> hi")
        await withContent.disconnect()
        await withoutContent.disconnect()
    }

    @Test func voiceStatesAndPresencesFollowTheirIntents() async throws {
        let emulator = try await startedEmulator { $0.privilegedIntentsAllowed = 1 << 8 }
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        let voice = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await voice.identify(intents: 1 | 1 << 7)
        #expect(emulator.userJoinsVoice(channelID: 2002, userID: 3000))
        #expect(!emulator.userJoinsVoice(channelID: 2001, userID: 3000))  // a text channel
        let joined = (await voice.next(event: "VOICE_STATE_UPDATE"))?["d"] as? [String: Any]
        #expect(joined?["channel_id"] as? String == "2002")
        #expect(joined?["user_id"] as? String == "3000")
        #expect(joined?["guild_id"] as? String == "2000")
        #expect(emulator.voiceChannels(guildID: 2000) == [3000: 2002])

        // A session that starts now sees the user in GUILD_CREATE's voice_states, and presences
        // only with GUILD_PRESENCES.
        emulator.userUpdatesPresence(userID: 3000, activities: #"[{"name":"Minecraft","type":0}]"#)
        emulator.advanceClock(ms: 5_000)
        let late = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await late.identify(intents: 1 | 1 << 8)
        let guild = (await late.next(event: "GUILD_CREATE"))?["d"] as? [String: Any]
        #expect((guild?["voice_states"] as? [[String: Any]])?.first?["channel_id"] as? String == "2002")
        let presence = (guild?["presences"] as? [[String: Any]])?.first
        #expect(((presence?["activities"] as? [[String: Any]])?.first)?["name"] as? String == "Minecraft")

        emulator.userUpdatesPresence(userID: 3000, status: "idle")
        #expect((await late.next(event: "PRESENCE_UPDATE"))?["d"].flatMap { ($0 as? [String: Any])?["status"] as? String } == "idle")
        emulator.userLeavesVoice(guildID: 2000, userID: 3000)
        let left = (await voice.next(event: "VOICE_STATE_UPDATE"))?["d"] as? [String: Any]
        #expect(left?.keys.contains("channel_id") == true && left?["channel_id"] is NSNull)
        #expect(emulator.voiceChannels(guildID: 2000).isEmpty)
        // Neither session got what its intents do not cover.
        #expect(await voice.next(event: "PRESENCE_UPDATE", timeout: .milliseconds(100)) == nil)
        #expect(await late.next(event: "VOICE_STATE_UPDATE", timeout: .milliseconds(100)) == nil)
        await voice.disconnect()
        await late.disconnect()
    }

    @Test func slashCommandsArriveAsInteractionCreate() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        _ = try await emulatorCall(emulator, "PUT", "/applications/1000/commands", #"[{"name":"echo","description":"Echo","options":[{"type":3,"name":"text","description":"What"}]}]"#)
        let client = try await GatewayTestClient.connect(emulator.gatewayURL)
        try await client.identify()
        let (id, token) = emulator.userInvokesCommand(name: "echo", options: #"[{"name":"text","type":3,"value":"hi"}]"#)
        let interaction = try #require((await client.next(event: "INTERACTION_CREATE"))?["d"] as? [String: Any])
        #expect(interaction["id"] as? String == String(id))
        #expect(interaction["token"] as? String == token)
        #expect(interaction["type"] as? Int == 2)
        #expect(interaction["application_id"] as? String == "1000")
        #expect(interaction["guild_id"] as? String == "2000")
        #expect(interaction["channel_id"] as? String == "2001")
        let data = interaction["data"] as? [String: Any]
        #expect(data?["name"] as? String == "echo")
        #expect(data?["id"] as? String == emulator.commands(guildID: nil).first.map { String($0.id) })
        #expect((data?["options"] as? [[String: Any]])?.first?["value"] as? String == "hi")
        #expect(((interaction["member"] as? [String: Any])?["user"] as? [String: Any])?["id"] as? String == "3000")
        await client.disconnect()
    }
}

extension RecordedIdentify.Outcome {
    var isAccepted: Bool { if case .accepted = self { true } else { false } }
}
