@testable import DiscordClient
import BotHostCore
import BotHostTestSupport
import Testing

@Suite struct VoiceMediaPipelineTests {
    /// PCM in, datagrams across, PCM out: the whole media path in both transport modes.
    @Test(arguments: VoiceCryptoVectors.modes)
    func aToneCrossesTheWholeMediaPath(mode: VoiceEncryptionMode) throws {
        let key = (0..<32).map { UInt8($0 * 3 + 1) }
        let send = VoiceSendPipeline(ssrc: 4242, cipher: try VoiceTransportCipher(mode: mode, secretKey: key))
        let receive = VoiceReceivePipeline(cipher: try VoiceTransportCipher(mode: mode, secretKey: key))
        let frames = 50
        let tone = ToneAnalysis.stereoTone(frequency: 440, frames: 960 * frames)
        var output: [ReceivedVoiceFrame] = []
        for i in 0..<frames {
            let datagram = try send.packet(forPCM: Array(tone[i * 1920..<(i + 1) * 1920]))
            output += try receive.receive(datagram)
        }
        for datagram in try send.silencePackets() { output += try receive.receive(datagram) }
        #expect(output.count == frames + 5)
        #expect(output.allSatisfy { $0.ssrc == 4242 && !$0.isLost })
        let pcm = output.prefix(frames).flatMap(\.pcm)
        let left = Array(ToneAnalysis.channel(pcm, channel: 0).dropFirst(4_800))
        #expect(abs(ToneAnalysis.dominantFrequency(in: left) - 440) <= 5)
        #expect(output.suffix(5).allSatisfy { $0.opus == VoiceAudioFormat.silenceFrame })
        #expect(receive.counters.accepted == UInt64(frames + 5))
        // Timestamps received are consecutive 960-sample steps.
        for (a, b) in zip(output, output.dropFirst()) { #expect(b.timestamp &- a.timestamp == 960) }
    }
}
