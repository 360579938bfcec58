import DiscordEmulator
import Foundation
import Testing

/// Injected voice faults: close codes, drops, silent heartbeats, lost UDP; each recorded.
@Suite(.serialized) struct EmulatorVoiceFaultTests {
    @Test func closeCodesDropsAndUnansweredHeartbeats() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)

        for code: UInt16 in [4021, 4022, 4014] {
            let (client, _) = try await joined.identifiedVoice()
            emulator.injectVoice(.close(code: code))
            #expect(await client.closeCode() == code)
            #expect(emulator.currentVoiceSession()?.closeCodes.last == code)
            #expect(emulator.currentVoiceSession()?.isResumable == false)
            await client.disconnect()
        }

        // A drop sends no close frame and leaves the session resumable.
        let (dropped, _) = try await joined.identifiedVoice()
        emulator.injectVoice(.dropConnections)
        #expect(await dropped.disconnected())
        #expect(await dropped.closeCode(timeout: .milliseconds(100)) == nil)
        #expect(await eventually { emulator.currentVoiceSession()?.isConnected == false })
        #expect(emulator.currentVoiceSession()?.isResumable == true)
        let resumed = try await joined.connectVoice()
        try await resumed.send(#"{"op":7,"d":{"server_id":"2000","session_id":"\#(joined.sessionID)","token":"\#(joined.token)","seq_ack":1}}"#)
        #expect(await resumed.next(op: 9) != nil)

        emulator.injectVoice(.stopHeartbeatACKs)
        try await resumed.send(#"{"op":3,"d":{"t":7,"seq_ack":1}}"#)
        #expect(await resumed.next(op: 6, timeout: .milliseconds(300)) == nil)
        emulator.injectVoice(.resumeHeartbeatACKs)
        try await resumed.send(#"{"op":3,"d":{"t":8,"seq_ack":1}}"#)
        #expect((await resumed.next(op: 6)?["d"] as? [String: Any])?["t"] as? Int == 8)

        let descriptions = emulator.faults.map(\.description)
        #expect(descriptions.contains("voice close 4021"))
        #expect(descriptions.contains("voice drop connections"))
        #expect(descriptions.contains("voice stop heartbeat ACKs"))
        await resumed.disconnect()
        await dropped.disconnect()
        await joined.gateway.disconnect()
    }

    @Test func droppedUDPLosesDiscoveryAndMediaUntilRestored() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let joined = try await JoinedVoice.join(emulator)
        let udp = try await VoiceTestUDPSocket.bind()
        let (client, ready) = try await joined.identifiedVoice()
        let ssrc = UInt32(try #require(ready["ssrc"] as? Int))

        emulator.injectVoice(.dropUDP)
        try await udp.send(VoiceTestMedia.ipDiscoveryRequest(ssrc: ssrc), toPort: emulator.voiceUDPPort)
        #expect(await eventually { emulator.droppedVoiceDatagrams == 1 })
        #expect(await udp.next(timeout: .milliseconds(300)) == nil)
        emulator.injectVoice(.resumeUDP)
        try await udp.send(VoiceTestMedia.ipDiscoveryRequest(ssrc: ssrc), toPort: emulator.voiceUDPPort)
        #expect(await udp.next()?.count == 74)

        try await client.send(JoinedVoice.selectProtocol(port: udp.port, mode: VoiceTestMedia.xchacha))
        let key = secretKey(of: await client.next(op: 4))
        let packet = VoiceTestMedia.rtpPacket(
            sequence: 1, timestamp: 960, ssrc: ssrc, opus: [0xF8, 0xFF, 0xFE], counter: 1, mode: VoiceTestMedia.xchacha, key: key)
        emulator.injectVoice(.dropUDP)
        try await udp.send(packet, toPort: emulator.voiceUDPPort)
        #expect(await eventually { emulator.droppedVoiceDatagrams == 2 })
        emulator.injectVoice(.resumeUDP)
        try await udp.send(packet, toPort: emulator.voiceUDPPort)
        let sessionID = try #require(emulator.currentVoiceSession()?.id)
        #expect(await eventually { emulator.voicePackets(voiceSessionID: sessionID).count == 1 })
        #expect(emulator.voicePackets(voiceSessionID: sessionID).count == 1)
        #expect(emulator.faults.map(\.description).filter { $0 == "voice drop UDP" }.count == 2)
        await udp.close()
        await client.disconnect()
        await joined.gateway.disconnect()
    }
}
