@testable import BotHost
import DiscordEmulator
import Foundation
import BotHostTestSupport
import Testing

/// A plugin using voice through the ABI, end to end against the local Discord: join, send a tone
/// that the emulator's own voice server decrypts and decodes, receive a simulated user's speech as
/// PCM, events, leave — in both transport encryption modes.
@Suite(.serialized) struct VoicePluginTests {
    /// The host's Discord connection to `emulator`, with the intents its plugins declared.
    private func connect(_ host: TestHost, to emulator: DiscordEmulator) async throws -> DiscordConnection {
        let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [2000])
        let connection = try DiscordConnection(settings: settings, runtime: host.runtime)
        try await connection.start(intents: await host.manager.gatewayIntents)
        return connection
    }

    /// Also with the plugin in a process of its own: voice calls, events and audio frames cross to it.
    @Test(arguments: [true, false], [false, true])
    func aPluginJoinsSpeaksHearsAndLeaves(offerAES: Bool, isolated: Bool) async throws {
        var configuration = EmulatorConfiguration()
        configuration.voice.offersAES256GCM = offerAES
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        let host = try TestHost(manualClock: false)
        let trace = TraceFile(in: host.directory)
        let pcmPath = host.directory.appendingPathComponent("heard.pcm").path
        let plugins = """
            [{"name": "voicer", "library": \(jsonString(try Fixtures.fixture("voicer"))), \(isolated ? #""isolation": "process","# : "")
              "config": {"traceFile": \(jsonString(trace.path)), "pcmFile": \(jsonString(pcmPath)), "guild": "2000", "channel": "2002"}}]
            """
        try await host.apply(plugins: plugins)
        #expect(await host.status("voicer")?.state == .running)
        #expect((await host.status("voicer")?.processID != nil) == isolated)
        let connection = try await connect(host, to: emulator)

        // Join: the result arrives by callback once audio can flow, with the mode negotiated.
        try host.publish("voicer.join", "")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("joined 0 ") } }, "\(trace.text)")
        let expectedMode = offerAES && BotHost.VoiceEncryptionMode.aeadAES256GCMRTPSize.isAvailable
            ? "aead_aes256_gcm_rtpsize" : "aead_xchacha20_poly1305_rtpsize"
        #expect(trace.lines.contains { $0.hasPrefix("joined 0 ") && $0.contains(expectedMode) && $0.contains(#""channel_id":"2002""#) })
        #expect(trace.lines.contains { $0.hasPrefix("event 1 ") })  // CONNECTED
        let voiceSession = try #require(emulator.currentVoiceSession(guildID: 2000))
        #expect(voiceSession.mode.map { "\($0)" }?.isEmpty == false)

        // A user in the channel: the call is end-to-end encrypted (DAVE) once the two form a
        // group, and the plugin hears of it; the bot's audio waits for that group.
        #expect(emulator.userJoinsVoice(channelID: 2002, userID: 3000))
        #expect(await eventually { host.events("discord.VOICE_STATE_UPDATE").contains { $0.contains(#""user_id":"3000""#) } })
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("event 9 ") && $0.contains("end-to-end encrypted") } }, "\(trace.text)")

        // Offer 40 frames of a 440 Hz tone at once: the host takes half a second of PCM (25 frames,
        // plus any the pacer sent while the plugin was still offering) and says QUEUE_FULL (6) for
        // the rest. The emulator decrypts and decodes on its own.
        try host.publish("voicer.play", "40")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("queued ") } }, "\(trace.text)")
        let queuedLine = try #require(trace.lines.first { $0.hasPrefix("queued ") }).split(separator: " ")
        let queued = try #require(Int(queuedLine[1]))
        #expect((25..<40).contains(queued) && queuedLine[2] == "6", "\(queuedLine)")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("event 8 ") } }, "\(trace.text)")  // SEND_DRAINED
        // Drained means the last datagram was handed to the socket; it may still be on its way
        // into the emulator, so wait for the five silence frames that end a sending.
        #expect(await eventually {
            emulator.voicePackets(voiceSessionID: voiceSession.id).filter(\.isSilenceFrame).count >= 5
        })
        let packets = emulator.voicePackets(voiceSessionID: voiceSession.id)
        let audio = packets.filter { !$0.isSilenceFrame }
        #expect(audio.count == queued)
        #expect(packets.suffix(5).allSatisfy { $0.isSilenceFrame })
        // Every packet follows the last (sequence + 1); the RTP clock moves 960 samples a frame, and
        // by whole frames more when a stalled machine made the pacer skip time slots it was late for.
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.sequence &- $0.sequence == 1 })
        #expect(zip(packets, packets.dropFirst()).allSatisfy { step in
            let ticks = step.1.timestamp &- step.0.timestamp
            return ticks >= 960 && ticks % 960 == 0
        })
        #expect(emulator.currentVoiceSession(guildID: 2000)?.decryptFailures == 0)
        #expect(emulator.currentVoiceSession(guildID: 2000)?.speakingFlags.first == 1)  // Speaking before audio
        let sent = emulator.voiceAudio(voiceSessionID: voiceSession.id)
        let frequency = try #require(VoiceToneAnalysis.dominantFrequency(pcm: sent))
        #expect(abs(frequency - 440) < 5, "decoded \(frequency) Hz")

        // The user speaks: the plugin gets their audio as PCM, with their user id.
        _ = try await emulator.userSpeaks(userID: 3000, guildID: 2000, audio: .tone(frequency: 660, durationMs: 1000, amplitude: 0.4))
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("frames 3000 ") } }, "\(trace.text)")
        #expect(await eventually { trace.lines.contains("event 5 3000 1 ") })  // SPEAKING started
        #expect(await eventually { trace.lines.contains("event 5 3000 0 ") })  // and stopped
        let heard = try Data(contentsOf: URL(fileURLWithPath: pcmPath)).withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        let heardFrequency = try #require(VoiceToneAnalysis.dominantFrequency(pcm: heard))
        #expect(abs(heardFrequency - 660) < 5, "heard \(heardFrequency) Hz")

        // Leave: the last holder gone, the bot leaves the channel.
        try host.publish("voicer.leave", "")
        #expect(await eventually { trace.lines.contains("left 0") }, "\(trace.text)")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("event 3 ") } })  // DISCONNECTED
        #expect(await eventually { emulator.voiceChannels(guildID: 2000)[1001] == nil })

        await connection.stop()
        await host.shutdown()
        await emulator.shutdown()
    }

    @Test func aRestartedPluginStartsWithoutItsOldHoldsAndTheBotLeavesWhenNobodyHoldsTheVoice() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start()
        let host = try TestHost(manualClock: false)
        let trace = TraceFile(in: host.directory)
        try await host.apply(plugins: """
            [{"name": "voicer", "library": \(jsonString(try Fixtures.fixture("voicer"))),
              "config": {"traceFile": \(jsonString(trace.path)), "guild": "2000", "channel": "2002"}}]
            """)
        let connection = try await connect(host, to: emulator)
        try host.publish("voicer.join", "")
        #expect(await eventually { trace.lines.contains { $0.hasPrefix("joined 0 ") } }, "\(trace.text)")
        #expect(connection.voiceService.holders[2000] == ["voicer"])

        // The old instance's holds are gone by the time it could start again: released later,
        // they would take a restarted plugin's new holds with them (holds go by plugin name).
        #expect(await host.manager.restart("voicer") == .restarted)
        #expect(connection.voiceService.holders[2000] == nil)
        // Nobody holds the guild's voice any more: the bot leaves the channel.
        #expect(await eventually { emulator.voiceChannels(guildID: 2000)[1001] == nil })

        await connection.stop()
        await host.shutdown()
        await emulator.shutdown()
    }
}
