import DiscordEmulator
import Foundation
import BotHostTestSupport
import Testing

/// Voice media over loopback UDP: IP discovery, packets a client seals (checked with the test's
/// own libsodium/libopus code), and simulated users speaking to the client.
@Suite(.serialized) struct EmulatorVoiceMediaTests {
    @Test func ipDiscoveryThenClientTonesAreRecordedAndDecodedInEachMode() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let udp = try await VoiceTestUDPSocket.bind()
        let (client, ready) = try await joined.identifiedVoice()
        let ssrc = UInt32(try #require(ready["ssrc"] as? Int))
        let modes = try #require(ready["modes"] as? [String])

        try await udp.send(VoiceTestMedia.ipDiscoveryRequest(ssrc: ssrc), toPort: emulator.voiceUDPPort)
        let response = try #require(await udp.next())
        #expect(response.count == 74)
        #expect(Array(response[0..<4]) == [0x00, 0x02, 0x00, 70])
        #expect(response[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } == ssrc)
        #expect(String(decoding: response[8..<72].prefix { $0 != 0 }, as: UTF8.self) == "127.0.0.1")
        #expect(Int(response[72]) << 8 | Int(response[73]) == udp.port)
        #expect(emulator.currentVoiceSession()?.discoveredAddress?.port == udp.port)

        let voiceSessionID = try #require(emulator.currentVoiceSession()?.id)
        var counter: UInt32 = 0
        for (index, mode) in modes.enumerated() {
            try await client.send(JoinedVoice.selectProtocol(port: udp.port, mode: mode))
            let key = secretKey(of: await client.next(op: 4))
            try #require(key.count == 32)
            try await client.send(#"{"op":5,"d":{"speaking":1,"delay":0,"ssrc":\#(ssrc)}}"#)

            let frequency = index == 0 ? 440.0 : 660.0
            let frames = VoiceTestMedia.encode(VoiceTone.sine(frequency: frequency, durationMs: 400))
            try #require(frames.count == 20)
            let payloads = frames + Array(repeating: [0xF8, 0xFF, 0xFE], count: 5)
            let packetsBefore = emulator.voicePackets(voiceSessionID: voiceSessionID).count
            let audioBefore = emulator.voiceAudio(voiceSessionID: voiceSessionID).count
            for (i, opus) in payloads.enumerated() {
                counter += 1
                // Every other packet carries a CSRC, every third a header extension, as Discord's do.
                let packet = VoiceTestMedia.rtpPacket(
                    sequence: UInt16(100 + i), timestamp: UInt32(5_000 + 960 * i), ssrc: ssrc, csrcs: i % 2 == 0 ? [77] : [],
                    extensionBody: i % 3 == 0 ? [0x10, 0xAA, 0x00, 0x00] : nil, opus: opus, counter: counter, mode: mode, key: key)
                try await udp.send(packet, toPort: emulator.voiceUDPPort)
            }
            #expect(await eventually { emulator.voicePackets(voiceSessionID: voiceSessionID).count == packetsBefore + 25 })
            let recorded = Array(emulator.voicePackets(voiceSessionID: voiceSessionID).dropFirst(packetsBefore))
            let sequences: [UInt16] = (0..<25).map { UInt16(100 + $0) }
            let timestamps: [UInt32] = (0..<25).map { UInt32(5_000 + 960 * $0) }
            #expect(recorded.map(\.sequence) == sequences)
            #expect(recorded.map(\.timestamp) == timestamps)
            #expect(recorded.allSatisfy { $0.ssrc == ssrc })
            #expect(recorded.map(\.isSilenceFrame) == Array(repeating: false, count: 20) + Array(repeating: true, count: 5))
            #expect(recorded.map(\.payloadSize) == payloads.map(\.count))
            #expect(recorded.map(\.csrcCount) == (0..<25).map { $0 % 2 == 0 ? 1 : 0 })
            #expect(recorded.map(\.hadHeaderExtension) == (0..<25).map { $0 % 3 == 0 })
            #expect(recorded.allSatisfy { $0.decodedSamplesPerChannel == 960 })
            let audio = Array(emulator.voiceAudio(voiceSessionID: voiceSessionID).dropFirst(audioBefore))
            let heard = try #require(VoiceToneAnalysis.dominantFrequency(pcm: audio))
            #expect(abs(heard - frequency) < 3, "mode \(mode) decoded to \(heard) Hz")
        }

        // A flipped ciphertext byte, or a flipped header byte (associated data), fails the tag.
        let mode = try #require(modes.last)
        let key = try #require(emulator.currentVoiceSession()?.secretKey)
        let good = VoiceTestMedia.rtpPacket(
            sequence: 500, timestamp: 90_000, ssrc: ssrc, opus: [0xF8, 0xFF, 0xFE], counter: counter + 1, mode: mode, key: key)
        var tamperedPayload = good
        tamperedPayload[13] ^= 0x01
        var tamperedHeader = good
        tamperedHeader[5] ^= 0x01
        let before = try #require(emulator.currentVoiceSession())
        try await udp.send(tamperedPayload, toPort: emulator.voiceUDPPort)
        try await udp.send(tamperedHeader, toPort: emulator.voiceUDPPort)
        #expect(await eventually { emulator.currentVoiceSession()?.decryptFailures == before.decryptFailures + 2 })
        #expect(emulator.currentVoiceSession()?.receivedPacketCount == before.receivedPacketCount)
        try await udp.send(good, toPort: emulator.voiceUDPPort)
        #expect(await eventually { emulator.currentVoiceSession()?.receivedPacketCount == before.receivedPacketCount + 1 })
        #expect(emulator.currentVoiceSession()?.speakingFlags.allSatisfy { $0 == 1 } == true)
        await udp.close()
        await client.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func aSimulatedUsersSpeechArrivesDecryptableWithConsecutiveTimestamps() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let udp = try await VoiceTestUDPSocket.bind()
        let (client, _) = try await joined.identifiedVoice()
        let mode = VoiceTestMedia.xchacha
        try await client.send(JoinedVoice.selectProtocol(port: udp.port, mode: mode))
        let key = secretKey(of: await client.next(op: 4))
        #expect(emulator.userJoinsVoice(channelID: 2002, userID: 3000))
        #expect((await client.next(op: 11)?["d"] as? [String: Any])?["user_ids"] as? [String] == ["3000"])

        var options = VoiceSpeechOptions()
        options.headerExtension = true
        options.csrcs = [9]
        let report = try await emulator.userSpeaks(userID: 3000, audio: .tone(frequency: 523, durationMs: 300), options: options)
        #expect(report.audioFrames == 15 && report.silenceFrames == 5 && report.datagramsSent == 20)

        let speaking = try #require(await client.next(op: 5)?["d"] as? [String: Any])
        #expect(speaking["user_id"] as? String == "3000")
        #expect(speaking["speaking"] as? Int == 1)
        let userSSRC = try #require(speaking["ssrc"] as? Int)
        #expect(UInt32(userSSRC) == report.ssrc)
        #expect(report.ssrc != emulator.currentVoiceSession()?.ssrc)

        var packets: [VoiceTestMedia.ParsedRTP] = []
        for _ in 0..<20 {
            let datagram = try #require(await udp.next())
            packets.append(try #require(VoiceTestMedia.parse(datagram, mode: mode, key: key)))
        }
        #expect(packets.allSatisfy { $0.ssrc == report.ssrc && $0.csrcCount == 1 && $0.hasExtension })
        #expect(packets.map(\.sequence) == (0..<20).map { report.firstSequence &+ UInt16($0) })
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.timestamp &- $0.timestamp == 960 })
        #expect(packets.first?.timestamp == report.firstTimestamp)
        #expect(packets.suffix(5).allSatisfy { $0.opus == [0xF8, 0xFF, 0xFE] })
        let pcm = VoiceTestMedia.decode(packets.prefix(15).map(\.opus))
        let heard = try #require(VoiceToneAnalysis.dominantFrequency(pcm: pcm))
        #expect(abs(heard - 523) < 3, "decoded to \(heard) Hz")

        // The user's next utterance continues the same stream; leaving sends op 13.
        let again = try await emulator.userSpeaks(audio: .tone(frequency: 523, durationMs: 20), options: .init())
        #expect(again.ssrc == report.ssrc)
        #expect(again.firstSequence == report.firstSequence &+ 20)
        #expect(again.firstTimestamp == report.firstTimestamp &+ 20 * 960)
        emulator.userLeavesVoice(guildID: 2000, userID: 3000)
        #expect((await client.next(op: 13)?["d"] as? [String: Any])?["user_id"] as? String == "3000")
        await udp.close()
        await client.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func speechCanBeReorderedDroppedAndDuplicatedForJitterBufferTests() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let udp = try await VoiceTestUDPSocket.bind()
        let (client, _) = try await joined.identifiedVoice()
        try await client.send(JoinedVoice.selectProtocol(port: udp.port, mode: VoiceTestMedia.xchacha))
        let key = secretKey(of: await client.next(op: 4))
        #expect(emulator.userJoinsVoice(channelID: 2002, userID: 3000))

        var options = VoiceSpeechOptions()
        options.pacing = .asFastAsPossible
        options.dropPackets = [1]
        options.duplicatePackets = [3]
        options.swapWithNextPackets = [5]
        let report = try await emulator.userSpeaks(audio: .tone(frequency: 300, durationMs: 200), options: options)
        #expect(report.datagramsSent == 15)
        var offsets: [Int] = []
        for _ in 0..<15 {
            let datagram = try #require(await udp.next())
            let packet = try #require(VoiceTestMedia.parse(datagram, mode: VoiceTestMedia.xchacha, key: key))
            offsets.append(Int(packet.sequence &- report.firstSequence))
        }
        #expect(offsets == [0, 2, 3, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12, 13, 14])
        await udp.close()
        await client.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func speakingNeedsTheBotInVoiceTheUserInItsChannelAndASelectedProtocol() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let tone = VoiceSpeechAudio.tone(frequency: 440, durationMs: 20)
        await #expect(throws: VoiceSpeechError.botNotInVoice(guildID: 2000)) { try await emulator.userSpeaks(audio: tone) }
        let joined = try await JoinedVoice.join(emulator)
        await #expect(throws: VoiceSpeechError.userNotInBotChannel(userID: 3000, channelID: 2002)) {
            try await emulator.userSpeaks(audio: tone)
        }
        #expect(emulator.userJoinsVoice(channelID: 2002, userID: 3000))
        let (client, _) = try await joined.identifiedVoice()
        await #expect(throws: VoiceSpeechError.self) { try await emulator.userSpeaks(audio: tone) }
        try await client.send(JoinedVoice.selectProtocol(port: 40_001, mode: VoiceTestMedia.xchacha))
        #expect(await client.next(op: 4) != nil)
        let report = try await emulator.userSpeaks(audio: tone)
        #expect(report.audioFrames == 1)
        await client.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func toneAnalysisFindsTheToneAndNothingInSilence() {
        let tone = [Int16](repeating: 0, count: 9_600) + VoiceTone.sine(frequency: 1_000, durationMs: 300, amplitude: 0.3)
        let heard = VoiceToneAnalysis.dominantFrequency(pcm: tone)
        #expect(heard.map { abs($0 - 1_000) < 1.5 } == true)
        #expect(VoiceToneAnalysis.dominantFrequency(pcm: [Int16](repeating: 0, count: 96_000)) == nil)
        #expect(VoiceToneAnalysis.power(of: 1_000, in: tone) > 100 * VoiceToneAnalysis.power(of: 2_000, in: tone))
        let low = VoiceToneAnalysis.dominantFrequency(pcm: VoiceTone.sine(frequency: 87, durationMs: 500))
        #expect(low.map { abs($0 - 87) < 1.5 } == true)
    }
}
