import DiscordEmulator
import Foundation
import Testing

/// The voice side of the emulator over real sockets: op 4 on the main gateway, then the voice
/// WebSocket (v8) as a Discord client drives it.
@Suite(.serialized) struct EmulatorVoiceGatewayTests {
    static let twoVoiceChannels = EmulatedGuild(
        id: 2000, name: "Sandbox",
        channels: [
            EmulatedChannel(id: 2001, name: "general", kind: .text),
            EmulatedChannel(id: 2002, name: "Lounge", kind: .voice),
            EmulatedChannel(id: 2003, name: "Studio", kind: .voice),
        ],
        members: [EmulatedUser(id: 3000, username: "sandbox-user")], ownerID: 3000)

    @Test func opFourJoinsMovesAndLeavesWithBothDispatches() async throws {
        let emulator = try await startedEmulator { $0.guilds = [Self.twoVoiceChannels] }
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        #expect(joined.voiceState["user_id"] as? String == "1001")
        #expect(joined.voiceState["channel_id"] as? String == "2002")
        #expect(joined.voiceState["guild_id"] as? String == "2000")
        #expect(joined.sessionID.count == 32)
        #expect(joined.serverUpdate["guild_id"] as? String == "2000")
        #expect(!joined.token.isEmpty)
        #expect(joined.endpoint == emulator.voiceEndpoint)
        #expect(joined.endpoint.hasPrefix("127.0.0.1:") && !joined.endpoint.contains("://"))
        #expect(emulator.voiceChannels(guildID: 2000)[1001] == 2002)
        let request = try #require(emulator.voiceStateRequests.last)
        #expect(request.guildID == 2000 && request.channelID == 2002 && !request.selfMute && !request.selfDeaf)

        // Moving gives a new voice state session and token; the old voice connection gets 4014.
        let (voice, _) = try await joined.identifiedVoice()
        try await joined.gateway.send(JoinedVoice.opFour(channelID: 2003))
        let moved = try #require(await joined.gateway.next(event: "VOICE_STATE_UPDATE")?["d"] as? [String: Any])
        let newServer = try #require(await joined.gateway.next(event: "VOICE_SERVER_UPDATE")?["d"] as? [String: Any])
        #expect(moved["channel_id"] as? String == "2003")
        #expect(moved["session_id"] as? String != joined.sessionID)
        #expect(newServer["token"] as? String != joined.token)
        #expect(await voice.closeCode() == 4014)

        // The old token no longer authenticates; the new one does.
        let stale = try await joined.connectVoice()
        try await stale.send(joined.identifyPayload())
        #expect(await stale.closeCode() == 4004)
        let fresh = try await joined.connectVoice()
        try await fresh.send(joined.identifyPayload(token: newServer["token"] as? String, sessionID: moved["session_id"] as? String))
        #expect(await fresh.next(op: 2) != nil)

        // Leaving: channel_id null, and the voice connection is closed 4014.
        try await joined.gateway.send(JoinedVoice.opFour(channelID: nil))
        let left = try #require(await joined.gateway.next(event: "VOICE_STATE_UPDATE")?["d"] as? [String: Any])
        #expect(left["channel_id"] is NSNull)
        #expect(await fresh.closeCode() == 4014)
        #expect(emulator.voiceChannels(guildID: 2000)[1001] == nil)
        #expect(emulator.currentVoiceSession() == nil)
        #expect(emulator.voiceSessions.count == 2)
        for client in [joined.gateway, voice, stale, fresh] { await client.disconnect() }
    }

    @Test func malformedOpFourClosesTheGatewayWith4002() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let gateway = try await GatewayTestClient.connect(emulator.gatewayURL)
        try #require(try await gateway.identify(intents: 1 | 1 << 7) != nil)
        try await gateway.send(#"{"op":4,"d":{"guild_id":"2000","channel_id":"2002"}}"#)
        #expect(await gateway.closeCode() == 4002)
        await gateway.disconnect()
    }

    @Test func reallocationSendsANullEndpointFirst() async throws {
        let emulator = try await startedEmulator { $0.voice.nullEndpointBeforeServerUpdate = true }
        defer { Task { await emulator.shutdown() } }
        let gateway = try await GatewayTestClient.connect(emulator.gatewayURL)
        try #require(try await gateway.identify(intents: 1 | 1 << 7) != nil)
        try await gateway.send(JoinedVoice.opFour(channelID: 2002))
        let first = try #require(await gateway.next(event: "VOICE_SERVER_UPDATE")?["d"] as? [String: Any])
        let second = try #require(await gateway.next(event: "VOICE_SERVER_UPDATE")?["d"] as? [String: Any])
        #expect(first["endpoint"] is NSNull)
        #expect(second["endpoint"] as? String == emulator.voiceEndpoint)
        await gateway.disconnect()
    }

    @Test func helloIdentifyReadyAndSessionDescriptionForEachMode() async throws {
        let emulator = try await startedEmulator { $0.voice.heartbeatIntervalMs = 5_000 }
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let client = try await joined.connectVoice()
        let hello = try #require(await client.next(op: 8)?["d"] as? [String: Any])
        #expect(hello["heartbeat_interval"] as? Double == 5_000)
        // Transport only: this raw client speaks no DAVE (the DAVE tests drive the host).
        try await client.send(joined.identifyPayload(dave: 0))
        let readyMessage = try #require(await client.next(op: 2))
        let ready = try #require(readyMessage["d"] as? [String: Any])
        #expect(readyMessage["seq"] as? Int == 1)
        #expect(ready["ip"] as? String == "127.0.0.1")
        #expect(ready["port"] as? Int == emulator.voiceUDPPort)
        let ssrc = try #require(ready["ssrc"] as? Int)
        let modes = try #require(ready["modes"] as? [String])
        #expect(modes.contains(VoiceTestMedia.xchacha))
        #expect(modes.contains(VoiceTestMedia.aesGCM) == emulator.voiceOffersAES256GCM)

        // Heartbeat ACKs echo t and carry the latest seq; the server keeps the client's seq_ack.
        try await client.send(#"{"op":3,"d":{"t":1501184119561,"seq_ack":1}}"#)
        let ack = try #require(await client.next(op: 6))
        #expect((ack["d"] as? [String: Any])?["t"] as? Int == 1_501_184_119_561)
        #expect(ack["seq"] as? Int == 1)
        #expect(emulator.currentVoiceSession()?.lastSeqAck == 1)

        var seq = 1
        for mode in modes {
            try await client.send(JoinedVoice.selectProtocol(port: 40_000, mode: mode))
            let description = try #require(await client.next(op: 4))
            seq += 1
            #expect(description["seq"] as? Int == seq)
            let d = description["d"] as? [String: Any]
            #expect(d?["mode"] as? String == mode)
            #expect(d?["dave_protocol_version"] as? Int == 0)
            #expect(secretKey(of: description).count == 32)
            #expect(emulator.currentVoiceSession()?.mode?.rawValue == mode)
            #expect(emulator.currentVoiceSession()?.secretKey == secretKey(of: description))
        }
        let session = try #require(emulator.currentVoiceSession())
        #expect(session.ssrc == UInt32(ssrc))
        #expect(session.identifyCount == 1)
        #expect(session.maxDAVEProtocolVersion == 0)
        #expect(session.dave == nil)
        #expect(session.clientAddress?.port == 40_000)

        // Speaking from the client is recorded; an unknown mode closes 4016.
        try await client.send(#"{"op":5,"d":{"speaking":5,"delay":0,"ssrc":\#(ssrc)}}"#)
        try await client.send(JoinedVoice.selectProtocol(port: 40_000, mode: "xsalsa20_poly1305"))
        #expect(await client.closeCode() == 4016)
        #expect(emulator.currentVoiceSession()?.speakingFlags == [5])
        let sent = emulator.voiceGatewayEvents.filter { $0.direction == .sent && $0.op != nil }
        #expect(sent.first?.op == 8 && sent.first?.seq == nil)
        #expect(sent.dropFirst().allSatisfy { $0.seq != nil })
        await client.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func identifyProblemsCloseWithVoiceCodes() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        func closeCode(_ payloads: [String]) async throws -> UInt16? {
            let client = try await joined.connectVoice()
            for payload in payloads { try await client.send(payload) }
            let code = await client.closeCode()
            await client.disconnect()
            return code
        }
        #expect(try await closeCode([joined.identifyPayload(token: "0000000000000000")]) == 4004)
        #expect(try await closeCode([joined.identifyPayload(sessionID: String(repeating: "0", count: 32))]) == 4006)
        #expect(try await closeCode([JoinedVoice.selectProtocol(port: 1, mode: VoiceTestMedia.xchacha)]) == 4003)
        #expect(try await closeCode([#"{"op":42,"d":{}}"#]) == 4001)
        #expect(try await closeCode(["not json"]) == 4002)
        #expect(try await closeCode([joined.identifyPayload(), joined.identifyPayload()]) == 4005)
        #expect(try await closeCode([
            joined.identifyPayload(), #"{"op":1,"d":{"protocol":"webrtc","data":{"address":"127.0.0.1","port":1,"mode":"x"}}}"#,
        ]) == 4012)
        // A plain HTTP request, or another version, is refused with 400 instead of an upgrade.
        let port = try #require(joined.endpoint.split(separator: ":").last.flatMap { Int($0) })
        #expect(try await plainHTTPStatusLine(port: port, uri: "/?v=4")?.contains(" 400 ") == true)
        #expect(try await plainHTTPStatusLine(port: port, uri: "/?v=8")?.contains(" 400 ") == true)
        await joined.gateway.disconnect()
    }

    @Test func aClientBelowTheMinimumDAVEVersionIsClosedWith4017() async throws {
        let emulator = try await startedEmulator { $0.voice.minimumDAVEProtocolVersion = 1 }
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let client = try await joined.connectVoice()
        try await client.send(joined.identifyPayload(dave: 0))
        #expect(await client.closeCode() == 4017)
        #expect(emulator.currentVoiceSession()?.closeCodes == [4017])
        #expect(emulator.currentVoiceSession()?.maxDAVEProtocolVersion == 0)
        await client.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func resumeAfter4015ReplaysWhatWasMissed() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let (first, _) = try await joined.identifiedVoice()
        try await first.send(JoinedVoice.selectProtocol(port: 40_000, mode: VoiceTestMedia.xchacha))
        let description = try #require(await first.next(op: 4))
        let acked = try #require(description["seq"] as? Int)

        emulator.injectVoice(.close(code: 4015))
        #expect(await first.closeCode() == 4015)
        #expect(emulator.faults.contains { $0.description == "voice close 4015" && $0.affected == 1 })
        // Meanwhile a user joins the channel: op 11 waits in the session's buffer.
        #expect(emulator.userJoinsVoice(channelID: 2002, userID: 3000))

        let second = try await joined.connectVoice()
        try await second.send(#"{"op":7,"d":{"server_id":"2000","session_id":"\#(joined.sessionID)","token":"\#(joined.token)","seq_ack":\#(acked)}}"#)
        let replayed = try #require(await second.next { ($0["op"] as? Int) != 8 })
        #expect(replayed["op"] as? Int == 11)
        #expect(replayed["seq"] as? Int == acked + 1)
        #expect((replayed["d"] as? [String: Any])?["user_ids"] as? [String] == ["3000"])
        let resumed = try #require(await second.next(op: 9))
        #expect(resumed["seq"] as? Int == acked + 1)
        #expect(emulator.currentVoiceSession()?.resumeCount == 1)

        // Messages keep flowing on the resumed connection.
        emulator.userLeavesVoice(guildID: 2000, userID: 3000)
        let disconnect = try #require(await second.next(op: 13))
        #expect((disconnect["d"] as? [String: Any])?["user_id"] as? String == "3000")
        #expect(disconnect["seq"] as? Int == acked + 2)

        // After a code that ends the session, resuming is refused.
        emulator.injectVoice(.close(code: 4006))
        #expect(await second.closeCode() == 4006)
        let third = try await joined.connectVoice()
        try await third.send(#"{"op":7,"d":{"server_id":"2000","session_id":"\#(joined.sessionID)","token":"\#(joined.token)","seq_ack":0}}"#)
        #expect(await third.closeCode() == 4006)
        for client in [first, second, third, joined.gateway] { await client.disconnect() }
    }

    @Test func clientsAlreadyInTheChannelAreAnnouncedAfterReady() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        #expect(emulator.userJoinsVoice(channelID: 2002, userID: 3000))
        let joined = try await JoinedVoice.join(emulator)
        let (client, _) = try await joined.identifiedVoice()
        let connect = try #require(await client.next(op: 11))
        #expect((connect["d"] as? [String: Any])?["user_ids"] as? [String] == ["3000"])
        #expect(connect["seq"] as? Int == 2)
        await client.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func moderatorMoveDisconnectAndServerReallocation() async throws {
        let emulator = try await startedEmulator { $0.guilds = [Self.twoVoiceChannels] }
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let (voice, _) = try await joined.identifiedVoice()

        emulator.injectVoice(.reallocateServer)
        let nullEndpoint = try #require(await joined.gateway.next(event: "VOICE_SERVER_UPDATE")?["d"] as? [String: Any])
        let reallocated = try #require(await joined.gateway.next(event: "VOICE_SERVER_UPDATE")?["d"] as? [String: Any])
        #expect(nullEndpoint["endpoint"] is NSNull)
        #expect(reallocated["endpoint"] as? String == emulator.voiceEndpoint)
        #expect(reallocated["token"] as? String != joined.token)
        #expect(await voice.closeCode() == 4014)

        #expect(emulator.moderatorMovesBot(guildID: 2000, toChannelID: 2003))
        let moved = try #require(await joined.gateway.next(event: "VOICE_STATE_UPDATE")?["d"] as? [String: Any])
        #expect(moved["channel_id"] as? String == "2003")
        let server = try #require(await joined.gateway.next(event: "VOICE_SERVER_UPDATE")?["d"] as? [String: Any])
        #expect(server["token"] as? String != reallocated["token"] as? String)
        #expect(emulator.voiceChannels(guildID: 2000)[1001] == 2003)

        #expect(emulator.moderatorDisconnectsBot(guildID: 2000))
        let gone = try #require(await joined.gateway.next(event: "VOICE_STATE_UPDATE")?["d"] as? [String: Any])
        #expect(gone["channel_id"] is NSNull)
        #expect(!emulator.moderatorDisconnectsBot(guildID: 2000))
        #expect(emulator.voiceSessions.map(\.isCurrent) == [false, false, false])
        await voice.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func aClientThatStopsHeartbeatingIsClosedWith4009() async throws {
        let emulator = try await startedEmulator {
            $0.voice.heartbeatIntervalMs = 100
            $0.voice.heartbeatTimeoutMs = 300
        }
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let client = try await joined.connectVoice()
        // On a loaded machine the 300 ms may pass before the identify is written; the server's
        // close is what is under test, so a send onto the closed channel is no failure here.
        try? await client.send(joined.identifyPayload())
        #expect(await client.closeCode() == 4009)
        #expect(emulator.voiceGatewayEvents.contains { $0.direction == .sent && $0.closeCode == 4009 })
        #expect(emulator.currentVoiceSession()?.isResumable == false)
        await client.disconnect()
        await joined.gateway.disconnect()
    }
}
