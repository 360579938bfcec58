@testable import DiscordClient
import BotHostCore
import BotHostTestSupport
import Testing

@Suite struct VoiceMediaOpusTests {
    @Test func aToneSurvivesAnOpusRoundTrip() throws {
        let encoder = try OpusFrameEncoder()
        let decoder = try OpusFrameDecoder()
        let frames = 50  // one second
        let tone = ToneAnalysis.stereoTone(frequency: 440, frames: frames * 960)
        var decoded: [Int16] = []
        for i in 0..<frames {
            let packet = try encoder.encode(Array(tone[i * 1920..<(i + 1) * 1920]))
            #expect(packet.count > 3 && packet.count < 1_000)
            let pcm = try decoder.decode(packet)
            #expect(pcm.count == 1920)
            decoded += pcm
        }
        // Skip the codec's start-up; judge the steady state.
        let left = Array(ToneAnalysis.channel(decoded, channel: 0).dropFirst(4_800))
        let right = Array(ToneAnalysis.channel(decoded, channel: 1).dropFirst(4_800))
        #expect(abs(ToneAnalysis.dominantFrequency(in: left) - 440) <= 5)
        #expect(abs(ToneAnalysis.dominantFrequency(in: right) - 440) <= 5)
        #expect(ToneAnalysis.rms(left) > 0.2, "a 0.5-amplitude sine has an RMS near 0.35")
    }

    @Test func settingsReachTheEncoder() throws {
        let encoder = try OpusFrameEncoder(settings: OpusEncoderSettings(application: .voip, bitrate: 24_000))
        #expect(try encoder.currentBitrate() == 24_000)
        try encoder.apply(OpusEncoderSettings(application: .voip, bitrate: 128_000, inbandFEC: false, expectedPacketLossPercent: 0))
        #expect(try encoder.currentBitrate() == 128_000)
        #expect(encoder.settings.inbandFEC == false)
        // A bitrate libopus refuses comes back as a typed error with libopus's text.
        #expect(throws: OpusError.self) { try encoder.apply(OpusEncoderSettings(bitrate: -5)) }
        #expect(try encoder.lookahead() == 312)
    }

    @Test func higherBitrateMakesBiggerPackets() throws {
        let tone = ToneAnalysis.stereoTone(frequency: 1_000, frames: 960 * 20)
        func totalBytes(_ bitrate: Int32) throws -> Int {
            let encoder = try OpusFrameEncoder(settings: OpusEncoderSettings(bitrate: bitrate))
            return try (0..<20).reduce(0) { $0 + (try encoder.encode(Array(tone[$1 * 1920..<($1 + 1) * 1920]))).count }
        }
        #expect(try totalBytes(128_000) > 2 * (try totalBytes(32_000)))
    }

    @Test func wrongFrameSizeIsRefused() throws {
        let encoder = try OpusFrameEncoder()
        let error = #expect(throws: OpusError.self) { try encoder.encode([Int16](repeating: 0, count: 960)) }
        #expect(error?.code == -1)  // OPUS_BAD_ARG
        #expect(error?.description.contains("invalid argument") == true)
    }

    @Test func lossIsConcealedAndGarbageRefused() throws {
        let encoder = try OpusFrameEncoder()
        let decoder = try OpusFrameDecoder()
        let tone = ToneAnalysis.stereoTone(frequency: 440, frames: 960 * 10)
        for i in 0..<10 { _ = try decoder.decode(try encoder.encode(Array(tone[i * 1920..<(i + 1) * 1920]))) }
        let concealed = try decoder.concealLoss()
        #expect(concealed.count == 1920)
        #expect(ToneAnalysis.rms(ToneAnalysis.channel(concealed, channel: 0)) > 0.01, "concealment continues the signal")
        // Code-3 packet announcing zero frames: invalid.
        let error = #expect(throws: OpusError.self) { try decoder.decode([0x03, 0x00]) }
        #expect(error?.message == "corrupted stream")
        #expect(throws: OpusError.self) { try decoder.decode([]) }
    }

    @Test func inBandFECRebuildsALostFrameBetterThanConcealment() throws {
        let encoder = try OpusFrameEncoder(settings: OpusEncoderSettings(application: .voip, bitrate: 32_000, inbandFEC: true,
                                                                         expectedPacketLossPercent: 20))
        // Speech: libopus codes FEC (SILK's LBRR) only for frames it judges to be voice activity.
        let speech = ToneAnalysis.stereoSpeechLike(frames: 960 * 20)
        let packets = try (0..<20).map { try encoder.encode(Array(speech[$0 * 1920..<($0 + 1) * 1920])) }
        let truth = try OpusFrameDecoder()
        let withFEC = try OpusFrameDecoder()
        let withPLC = try OpusFrameDecoder()
        for packet in packets[0..<15] {
            _ = try truth.decode(packet)
            _ = try withFEC.decode(packet)
            _ = try withPLC.decode(packet)
        }
        let reference = ToneAnalysis.channel(try truth.decode(packets[15]), channel: 0)
        let recovered = ToneAnalysis.channel(try withFEC.recoverLoss(from: packets[16]), channel: 0)
        let concealed = ToneAnalysis.channel(try withPLC.concealLoss(), channel: 0)
        func error(_ a: [Double]) -> Double { ToneAnalysis.rms(zip(a, reference).map { $0 - $1 }) }
        #expect(recovered.count == 960 && concealed.count == 960)
        #expect(error(recovered) < error(concealed) * 0.7, "FEC: \(error(recovered)), PLC: \(error(concealed))")
    }

    @Test func theSilenceFrameDecodesToSilence() throws {
        let decoder = try OpusFrameDecoder()
        let pcm = try decoder.decode(VoiceAudioFormat.silenceFrame)
        #expect(pcm.count == 1920)
        #expect(pcm.allSatisfy { $0 == 0 })
    }
}
