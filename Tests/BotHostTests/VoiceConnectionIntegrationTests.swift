@testable import BotHost
import DiscordEmulator
import Foundation
import NIOCore
import Synchronization
import Testing

/// The host's voice connection layer against the emulator's voice server: joining through the
/// main gateway, the v8 handshake, IP discovery, mode selection, heartbeats, resume and the close
/// codes that end a session. The host clock is manual, so heartbeats, backoff and timeouts move
/// only when a test advances it; nothing here asserts how long anything took.
@Suite(.serialized) struct VoiceConnectionIntegrationTests {
    static let guild: UInt64 = 2000
    static let lounge: UInt64 = 2002
    static let stage: UInt64 = 2003

    struct Rig {
        let emulator: DiscordEmulator
        let host: TestHost
        let connection: DiscordConnection
        let log: CapturedLog

        var voice: VoiceManager { connection.voice }

        func stop() async {
            await connection.stop()
            await host.shutdown()
            await emulator.shutdown()
        }

        /// The emulator's record of the bot's current voice session in the sandbox guild.
        var current: EmulatedVoiceSession? { emulator.currentVoiceSession(guildID: VoiceConnectionIntegrationTests.guild) }

        /// Advances the host clock step by step until `condition` holds (a sleep may begin after
        /// any given advance, so one big jump could miss it); each step's due timers fire before
        /// the next.
        func advance(byMs step: Int64, until condition: () -> Bool) async -> Bool {
            await eventually {
                if condition() { return true }
                host.advance(ms: step)
                await host.runtime.scheduler.caughtUp()
                return condition()
            }
        }

        /// A presence update on the main gateway, received: whatever the host sent on that
        /// connection before it (an op 4) has arrived too.
        func mainGatewayBarrier() async throws -> Bool {
            let presence = Array(#"{"since":null,"activities":[],"status":"online","afk":false}"#.utf8)
            let before = emulator.gatewayEvents.filter { $0.direction == .received && $0.op == 3 }.count
            try await connection.send(shard: 0, op: 3, data: presence)
            return await eventually { emulator.gatewayEvents.filter { $0.direction == .received && $0.op == 3 }.count > before }
        }
    }

    static func start(
        emulator configure: (inout EmulatorConfiguration) -> Void = { _ in },
        voice adjust: (inout VoiceConnectionSettings) -> Void = { _ in },
        intents: UInt64 = 1 | 1 << 7
    ) async throws -> Rig {
        var configuration = EmulatorConfiguration()
        configuration.guilds = [EmulatedGuild(
            id: guild, name: "Sandbox",
            channels: [
                EmulatedChannel(id: 2001, name: "general", kind: .text),
                EmulatedChannel(id: lounge, name: "Lounge", kind: .voice),
                EmulatedChannel(id: stage, name: "Stage", kind: .voice),
            ],
            members: [EmulatedUser(id: 3000, username: "sandbox-user")], ownerID: 3000)]
        // The voice server's own heartbeat deadline runs in real time; keep it out of the way
        // of tests that hold the host clock still.
        configuration.voice.heartbeatTimeoutMs = 600_000
        configure(&configuration)
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        let log = CapturedLog()
        let host = try TestHost(logger: log.logger())
        var settings = VoiceConnectionSettings(gatewayURL: emulator.gatewayURL, reconnectBaseDelay: .zero, reconnectMaxDelay: .zero,
                                               random: { 0 })
        adjust(&settings)
        let discord = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL, gatewayURL: emulator.gatewayURL)
        let connection = try DiscordConnection(settings: discord, runtime: host.runtime, voiceSettings: settings)
        try await connection.start(intents: intents)
        return Rig(emulator: emulator, host: host, connection: connection, log: log)
    }

    /// The mode the emulator should end up with when both sides can do AES-GCM.
    static func expectedPreferredMode(_ emulator: DiscordEmulator) -> String {
        emulator.voiceOffersAES256GCM && BotHost.VoiceEncryptionMode.aeadAES256GCMRTPSize.isAvailable
            ? "aead_aes256_gcm_rtpsize" : "aead_xchacha20_poly1305_rtpsize"
    }

    /// Collects the datagrams a session receives.
    final class DatagramLog: Sendable {
        private let received = Mutex<[[UInt8]]>([])
        func append(_ buffer: ByteBuffer) { received.withLock { $0.append(Array(buffer.readableBytesView)) } }
        var all: [[UInt8]] { received.withLock { $0 } }
    }

    // MARK: join, handshake, media seams, leave

    @Test func joinCompletesTheHandshakeAndLeaveClosesEverything() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        #expect(session.state.isConnected)
        #expect(session.channelID == Self.lounge)
        #expect(rig.voice.session(guildID: Self.guild) === session)

        // op 4 went to the guild's shard with what was asked.
        let request = try #require(rig.emulator.voiceStateRequests.first)
        #expect(request.guildID == Self.guild && request.channelID == Self.lounge && request.shard == 0)
        #expect(!request.selfMute && !request.selfDeaf)

        // Identify offering DAVE, Select Protocol with the preferred mode and the discovered
        // address, and the key the server made is the one the session hands to the media layer.
        let server = try #require(rig.current)
        #expect(server.identifyCount == 1 && server.resumeCount == 0)
        #expect(server.maxDAVEProtocolVersion == 1)
        #expect(server.dave?.protocolVersion == 1)
        #expect(server.mode?.rawValue == Self.expectedPreferredMode(rig.emulator))
        #expect(session.mode.rawValue == Self.expectedPreferredMode(rig.emulator))
        #expect(server.ssrc == session.ssrc)
        #expect(server.secretKey == session.secretKey)
        #expect(session.secretKey.count == 32)
        let discovered = try #require(server.discoveredAddress)
        #expect(discovered.ip == session.transport.externalAddress.ip && discovered.port == session.transport.externalAddress.port)
        #expect(server.clientAddress?.port == session.transport.externalAddress.port)
        #expect(session.transport.serverAddress.port == rig.emulator.voiceUDPPort)

        // Who is who: Clients Connect and others' Speaking fill the SSRC map; datagrams reach
        // the receive handler.
        let datagrams = DatagramLog()
        session.onDatagram { buffer, transport in
            if transport.ssrc == session.ssrc { datagrams.append(buffer) }
        }
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3000))
        #expect(await eventually { session.connectedUserIDs.contains(3000) })
        var speech = VoiceSpeechOptions()
        speech.pacing = .asFastAsPossible
        let report = try await rig.emulator.userSpeaks(userID: 3000, guildID: Self.guild,
                                                       audio: .tone(frequency: 440, durationMs: 100), options: speech)
        #expect(await eventually { session.userID(forSSRC: report.ssrc) == 3000 })
        #expect(await eventually { datagrams.all.count == report.datagramsSent })
        #expect(datagrams.all.allSatisfy { $0.count > 12 && $0[0] & 0xC0 == 0x80 })
        #expect(datagrams.all.allSatisfy { Array($0[8..<12]) == withUnsafeBytes(of: report.ssrc.bigEndian, Array.init) })
        rig.emulator.userLeavesVoice(guildID: Self.guild, userID: 3000)
        #expect(await eventually { !session.connectedUserIDs.contains(3000) && session.userID(forSSRC: report.ssrc) == nil })

        // Speaking goes out with our SSRC; datagrams sent with it reach the server's session
        // (sealed with a wrong key here, so they count as decryption failures there).
        try await session.setSpeaking(.microphone)
        #expect(await eventually { rig.current?.speakingFlags == [1] })
        var packet = session.makeDatagramBuffer(capacity: 64)
        packet.writeBytes([0x80, 0x78, 0x00, 0x01, 0, 0, 0x03, 0xC0])
        packet.writeInteger(session.ssrc)
        packet.writeBytes([UInt8](repeating: 0xAB, count: 40))
        #expect(session.send(datagram: packet))
        #expect(await eventually { (rig.current?.decryptFailures ?? 0) >= 1 })

        // Leave: op 4 without a channel, voice socket and UDP closed, the session ended.
        try await rig.voice.leave(guildID: Self.guild)
        // The op 4 is on its way when leave returns; the local Discord reads it a moment later.
        #expect(await eventually { rig.emulator.voiceStateRequests.count == 2 })
        #expect(rig.emulator.voiceStateRequests.last?.channelID == nil)
        #expect(session.state == .disconnected(.left))
        #expect(!session.transport.isOpen)
        #expect(!session.send(datagram: session.makeDatagramBuffer(capacity: 1)))
        await #expect(throws: VoiceConnectionError.sessionClosed) { try await session.setSpeaking(.microphone) }
        #expect(await eventually { rig.emulator.voiceSessions.allSatisfy { !$0.isConnected } })
        #expect(rig.voice.session(guildID: Self.guild) == nil)
        #expect(!rig.log.all.contains { $0.contains(server.token) }, "the voice token reached a log line")
        await rig.stop()
    }

    @Test(arguments: [(false, true), (true, false)])
    func xChaChaIsTheFallback(aesOffered: Bool, aesUsable: Bool) async throws {
        let rig = try await Self.start(emulator: { $0.voice.offersAES256GCM = aesOffered },
                                       voice: { $0.isAES256GCMUsable = { aesUsable } })
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        #expect(session.mode == .aeadXChaCha20Poly1305RTPSize)
        #expect(rig.current?.mode?.rawValue == "aead_xchacha20_poly1305_rtpsize")
        let selected = rig.emulator.voiceGatewayEvents.first { $0.direction == .received && $0.op == 1 }
        #expect(selected?.json.contains("aead_xchacha20_poly1305_rtpsize") == true)
        await rig.stop()
    }

    @Test func aNullEndpointIsWaitedOut() async throws {
        let rig = try await Self.start(emulator: { $0.voice.nullEndpointBeforeServerUpdate = true })
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        #expect(session.state.isConnected)
        #expect(rig.current?.identifyCount == 1)
        await rig.stop()
    }

    // MARK: heartbeats

    @Test func heartbeatsAcknowledgeTheServersSequence() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let before = try #require(rig.current)
        #expect(before.lastSeqAck == nil)
        // The server's messages up to DAVE's external sender (binary op 25) share the counter;
        // a heartbeat may go out before the host has read the last of them, so beat until it has.
        #expect(await rig.advance(byMs: 13_750) { rig.current?.lastSeqAck == before.lastServerSeq })
        #expect(rig.emulator.voiceGatewayEvents.contains { $0.direction == .sent && $0.op == 6 })
        #expect(rig.emulator.voiceGatewayEvents.contains { $0.direction == .sent && $0.op == 25 && $0.seq == before.lastServerSeq })

        // A new server message moves seq on; the next heartbeat acknowledges it.
        #expect(rig.emulator.userJoinsVoice(channelID: Self.lounge, userID: 3000))
        #expect(await eventually { session.connectedUserIDs.contains(3000) })
        let later = try #require(rig.current?.lastServerSeq)
        #expect(later > before.lastServerSeq)
        #expect(await rig.advance(byMs: 13_750) { (rig.current?.lastSeqAck ?? -1) >= later })
        let beats = rig.emulator.voiceGatewayEvents.filter { $0.direction == .received && $0.op == 3 }
        #expect(beats.count >= 2)
        #expect(beats.allSatisfy { $0.json.contains("\"t\":") && $0.json.contains("\"seq_ack\":") })
        #expect(session.state.isConnected)
        await rig.stop()
    }

    @Test func aZombieConnectionIsResumed() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let ssrc = session.ssrc
        rig.emulator.injectVoice(.stopHeartbeatACKs)
        // One heartbeat interval per step, and each step's effect is in before the next: a beat
        // the server received, or, once ACKs are missing, the resume. (A step taken while the
        // resume is on its way would fire the new connection's timers too early.)
        let beats = { rig.emulator.voiceGatewayEvents.filter { $0.direction == .received && $0.op == 3 }.count }
        for _ in 0..<10 where rig.current?.resumeCount != 1 {
            let before = beats()
            rig.host.advance(ms: 13_750)
            _ = await eventually { beats() > before || rig.current?.resumeCount == 1 }
        }
        #expect(rig.current?.resumeCount == 1)
        rig.emulator.injectVoice(.resumeHeartbeatACKs)
        #expect(await eventually { session.state == .connected(mode: session.mode, ssrc: ssrc) })
        #expect(rig.current?.identifyCount == 1)
        await rig.stop()
    }

    // MARK: close codes

    @Test func resumesAfterTheServerCrashed() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let transport = session.transport
        let states = session.stateChanges()
        rig.emulator.injectVoice(.close(code: 4015))
        #expect(await eventually { rig.current?.resumeCount == 1 && rig.current?.isConnected == true })
        #expect(await eventually { session.state.isConnected })
        // Same session: no new identify, same SSRC, key and UDP socket.
        #expect(rig.current?.identifyCount == 1)
        #expect(session.transport === transport)
        #expect(transport.isOpen)
        let seen = await Self.collect(states, until: { $0.count >= 3 })
        #expect(seen.prefix(3) == [.connected(mode: session.mode, ssrc: session.ssrc), .resuming, .connected(mode: session.mode, ssrc: session.ssrc)])
        let resume = rig.emulator.voiceGatewayEvents.first { $0.direction == .received && $0.op == 7 }
        #expect(resume?.json.contains("\"seq_ack\":") == true)
        await rig.stop()
    }

    @Test func sessionNoLongerValidIdentifiesAfresh() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let first = session.transport
        try await session.setSpeaking(.microphone)
        #expect(await eventually { rig.current?.speakingFlags == [1] })
        rig.emulator.injectVoice(.close(code: 4006))
        #expect(await eventually { rig.current?.identifyCount == 2 && session.state.isConnected && session.transport !== first })
        #expect(rig.current?.resumeCount == 0)
        #expect(rig.current?.ssrc == session.ssrc)
        #expect(rig.current?.secretKey == session.secretKey)
        #expect(!first.isOpen)
        // The speaking state is announced again for the new SSRC.
        #expect(await eventually { rig.current?.speakingFlags == [1, 1] })
        await rig.stop()
    }

    @Test func disconnectedIsNotReconnected() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        rig.emulator.injectVoice(.close(code: 4014))
        #expect(await eventually { session.state == .connecting })
        // No reconnect while Discord might still hand out a new voice server; then it ends.
        #expect(await rig.advance(byMs: 1_000) { session.state.isDisconnected })
        guard case .disconnected(.disconnected(let detail)) = session.state else {
            Issue.record("expected a 4014 disconnect, got \(session.state)")
            return await rig.stop()
        }
        #expect(detail.contains("4014"))
        let sessions = rig.emulator.voiceSessions
        #expect(sessions.count == 1)
        #expect(sessions.first?.identifyCount == 1 && sessions.first?.resumeCount == 0)
        #expect(rig.emulator.voiceGatewayEvents.filter { $0.direction == .received && ($0.op == 0 || $0.op == 7) }.count == 1)
        // The host leaves the channel on the main gateway too.
        #expect(await eventually { rig.emulator.voiceStateRequests.last?.channelID == nil })
        #expect(rig.voice.session(guildID: Self.guild) == nil)
        await rig.stop()
    }

    @Test(arguments: [(UInt16(4021), VoiceDisconnectReason.rateLimited), (UInt16(4022), VoiceDisconnectReason.callTerminated)])
    func finalCloseCodesEndTheSession(code: UInt16, reason: VoiceDisconnectReason) async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        rig.emulator.injectVoice(.close(code: code))
        #expect(await eventually { session.state == .disconnected(reason) })
        // The driver has ended (the manager let the session go) and the host left on the main
        // gateway, which it does after that: no reconnect can follow.
        #expect(await eventually { rig.voice.session(guildID: Self.guild) == nil && rig.emulator.voiceStateRequests.last?.channelID == nil })
        #expect(rig.emulator.voiceGatewayEvents.filter { $0.direction == .received && ($0.op == 0 || $0.op == 7) }.count == 1)
        await rig.stop()
    }

    @Test func aRefusedDAVEVersionFailsTheJoinWithAClearError() async throws {
        let rig = try await Self.start(emulator: { $0.voice.minimumDAVEProtocolVersion = 2 })
        do {
            _ = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
            Issue.record("a server that refuses the offered DAVE version must fail the join")
        } catch let error as VoiceConnectionError {
            #expect(error == .endToEndEncryptionRefused)
            #expect(error.description.contains("end-to-end encryption (DAVE)"))
            #expect(error.description.contains("4017"))
        }
        // Not retried, and the bot does not stay in the channel.
        #expect(rig.emulator.voiceSessions.first?.closeCodes == [4017])
        #expect(await eventually { rig.emulator.voiceStateRequests.last?.channelID == nil })
        #expect(rig.emulator.voiceGatewayEvents.filter { $0.direction == .received && $0.op == 0 }.count == 1)
        await rig.stop()
    }

    // MARK: moves and reallocation

    @Test func aModeratorMoveStartsANewVoiceSession() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let first = try #require(rig.current)
        #expect(rig.emulator.moderatorMovesBot(guildID: Self.guild, toChannelID: Self.stage))
        #expect(await eventually {
            guard let now = rig.current else { return false }
            return now.id != first.id && now.isConnected && now.mode != nil && session.state.isConnected && session.ssrc == now.ssrc
        })
        #expect(session.channelID == Self.stage)
        #expect(rig.voice.session(guildID: Self.guild) === session)
        await rig.stop()
    }

    @Test func joiningAnotherChannelMovesTheSession() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let moved = try await rig.voice.join(guildID: Self.guild, channelID: Self.stage, selfDeaf: true)
        #expect(moved === session)
        #expect(session.channelID == Self.stage)
        #expect(await eventually { rig.current?.channelID == Self.stage && rig.current?.isConnected == true && session.ssrc == rig.current?.ssrc })
        #expect(rig.emulator.voiceStateRequests.last?.selfDeaf == true)
        // Joining where the session already is returns it at once.
        let again = try await rig.voice.join(guildID: Self.guild, channelID: Self.stage, selfDeaf: true)
        #expect(again === session)
        await rig.stop()
    }

    @Test func aModeratorDisconnectEndsTheSession() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        #expect(rig.emulator.moderatorDisconnectsBot(guildID: Self.guild))
        #expect(await eventually { session.state.isDisconnected })
        guard case .disconnected(.disconnected) = session.state else {
            Issue.record("expected a disconnect, got \(session.state)")
            return await rig.stop()
        }
        // Discord already took the bot out: no op 4 leave, no reconnect. The session is let go of,
        // and anything sent on the main gateway before the barrier has arrived.
        #expect(await eventually { rig.voice.session(guildID: Self.guild) == nil })
        #expect(try await rig.mainGatewayBarrier())
        #expect(rig.emulator.voiceStateRequests.count == 1)
        #expect(rig.emulator.voiceGatewayEvents.filter { $0.direction == .received && ($0.op == 0 || $0.op == 7) }.count == 1)
        await rig.stop()
    }

    @Test func aReallocatedServerGetsANewSession() async throws {
        let rig = try await Self.start()
        let session = try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge)
        let first = try #require(rig.current)
        rig.emulator.injectVoice(.reallocateServer, guildID: Self.guild)
        #expect(await eventually {
            guard let now = rig.current else { return false }
            return now.id != first.id && now.isConnected && now.mode != nil && session.state.isConnected && session.ssrc == now.ssrc
        })
        #expect(session.channelID == Self.lounge)
        await rig.stop()
    }

    // MARK: failures on the way in

    @Test func aJoinWithoutVoiceStatesTimesOutNamingTheMissingEvent() async throws {
        // Without GUILD_VOICE_STATES the bot never hears its own VOICE_STATE_UPDATE.
        let rig = try await Self.start(intents: 1)
        let join = Task { try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge) }
        #expect(await eventually { !rig.emulator.voiceStateRequests.isEmpty })
        #expect(await rig.advance(byMs: 1_000) { rig.emulator.voiceStateRequests.count == 2 })
        do {
            _ = try await join.value
            Issue.record("the join must time out")
        } catch let error as VoiceConnectionError {
            guard case .joinTimedOut(let guild, let channel, let waitingFor) = error else {
                Issue.record("expected a timeout, got \(error)")
                return await rig.stop()
            }
            #expect(guild == Self.guild && channel == Self.lounge)
            #expect(waitingFor.contains("VOICE_STATE_UPDATE"))
            #expect(error.description.contains("GUILD_VOICE_STATES"))
        }
        #expect(rig.emulator.voiceStateRequests.last?.channelID == nil)
        await rig.stop()
    }

    @Test func ipDiscoveryIsRetriedWhenUDPDrops() async throws {
        let rig = try await Self.start()
        rig.emulator.injectVoice(.dropUDP)
        let join = Task { try await rig.voice.join(guildID: Self.guild, channelID: Self.lounge) }
        #expect(await eventually { rig.emulator.droppedVoiceDatagrams >= 1 })
        rig.emulator.injectVoice(.resumeUDP)
        #expect(await rig.advance(byMs: 250) { rig.current?.mode != nil })
        let session = try await join.value
        #expect(session.state.isConnected)
        #expect(rig.current?.identifyCount == 1)
        await rig.stop()
    }

    @Test func joiningBeforeTheGatewayIsReadyFails() async throws {
        let host = try TestHost()
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: "http://127.0.0.1:9/api/v10", gatewayURL: "ws://127.0.0.1:9/gateway")
        let connection = try DiscordConnection(settings: settings, runtime: host.runtime)
        await #expect(throws: VoiceConnectionError.gatewayNotReady) {
            _ = try await connection.voice.join(guildID: Self.guild, channelID: Self.lounge)
        }
        await connection.stop()
        await host.shutdown()
    }

    static func collect(_ stream: AsyncStream<VoiceSessionState>, until done: @escaping @Sendable ([VoiceSessionState]) -> Bool) async -> [VoiceSessionState] {
        let task = Task {
            var seen: [VoiceSessionState] = []
            for await state in stream {
                seen.append(state)
                if done(seen) { break }
            }
            return seen
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(20))
            task.cancel()
        }
        let seen = await task.value
        timeout.cancel()
        return seen
    }
}
