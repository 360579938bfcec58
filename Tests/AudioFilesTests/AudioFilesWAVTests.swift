import AudioFiles
import Foundation
import BotHostTestSupport
import Testing

/// Builds WAV files byte by byte, so the reader is tested against the format, not against itself.
enum WAVBuilder {
    static func file(formatTag: UInt16 = 1, channels: Int, sampleRate: Int, bits: Int, data: [UInt8],
                     extensible: Bool = false, extraChunk: Bool = false) -> [UInt8] {
        var fmt: [UInt8] = []
        append(&fmt, extensible ? UInt16(0xFFFE) : formatTag)
        append(&fmt, UInt16(channels))
        append(&fmt, UInt32(sampleRate))
        append(&fmt, UInt32(sampleRate * channels * bits / 8))
        append(&fmt, UInt16(channels * bits / 8))
        append(&fmt, UInt16(bits))
        if extensible {
            append(&fmt, UInt16(22))
            append(&fmt, UInt16(bits))
            append(&fmt, UInt32(3))  // front left | front right
            append(&fmt, formatTag)  // sub-format GUID begins with the format code
            fmt += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        var body: [UInt8] = Array("WAVE".utf8)
        chunk(&body, "fmt ", fmt)
        if extraChunk { chunk(&body, "LIST", Array("INFOabc".utf8)) }  // odd size: padded to even
        chunk(&body, "data", data)
        var file: [UInt8] = Array("RIFF".utf8)
        append(&file, UInt32(body.count))
        return file + body
    }

    static func chunk(_ bytes: inout [UInt8], _ id: String, _ body: [UInt8]) {
        bytes += Array(id.utf8)
        append(&bytes, UInt32(body.count))
        bytes += body
        if body.count % 2 == 1 { bytes.append(0) }
    }

    static func append<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    static func int16Data(_ samples: [Int16]) -> [UInt8] {
        var data: [UInt8] = []
        for sample in samples { append(&data, sample) }
        return data
    }
}

@Suite struct AudioFilesWAVTests {
    @Test func mono44100IsResampledAndDuplicated() throws {
        let mono = (0..<44_100).map { Int16(16_000 * sin(2 * Double.pi * 440 * Double($0) / 44_100)) }
        let audio = try WAVReader.decode(WAVBuilder.file(channels: 1, sampleRate: 44_100, bits: 16, data: WAVBuilder.int16Data(mono)))
        #expect(audio.sourceFormat == WAVFormat(encoding: .integer, channelCount: 1, sampleRate: 44_100, bitsPerSample: 16))
        #expect(audio.frameCount == 48_000)
        let left = ToneAnalysis.channel(audio.samples, channel: 0)
        #expect(left == ToneAnalysis.channel(audio.samples, channel: 1), "mono goes to both sides")
        #expect(abs(ToneAnalysis.dominantFrequency(in: left) - 440) <= 5, "resampling keeps the pitch")
        #expect(abs(ToneAnalysis.rms(left) - 16_000 / 32_768 / 2.0.squareRoot()) < 0.01, "and the level")
    }

    @Test func stereo48kPassesThroughExactly() throws {
        let samples = ToneAnalysis.stereoTone(frequency: 1_000, frames: 4_800).enumerated().map { $0.offset % 2 == 0 ? $0.element : -$0.element / 2 }
        let audio = try WAVReader.decode(WAVBuilder.file(channels: 2, sampleRate: 48_000, bits: 16, data: WAVBuilder.int16Data(samples),
                                                         extraChunk: true))
        #expect(audio.samples == samples)
        #expect(audio.frameCount == 4_800)
        #expect(audio.frames().count == 5)
        #expect(audio.frames(samplesPerChannel: 960 * 6).last?.count == 960 * 6 * 2, "the last frame is padded")
    }

    @Test func otherSampleFormatsConvert() throws {
        let reference: [Int16] = [0, 1_000, -1_000, 32_767, -32_768, 12_345]
        // 24-bit: the 16-bit value in the top two bytes.
        let pcm24 = reference.flatMap { value -> [UInt8] in
            let bits = UInt16(bitPattern: value)
            return [0, UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        #expect(try WAVReader.decode(WAVBuilder.file(channels: 1, sampleRate: 48_000, bits: 24, data: pcm24)).samples
            == reference.flatMap { [$0, $0] })
        var pcm32: [UInt8] = []
        for value in reference { WAVBuilder.append(&pcm32, Int32(value) << 16) }
        #expect(try WAVReader.decode(WAVBuilder.file(channels: 1, sampleRate: 48_000, bits: 32, data: pcm32, extensible: true)).samples
            == reference.flatMap { [$0, $0] })
        var float32: [UInt8] = []
        for value in reference { WAVBuilder.append(&float32, (Float(value) / 32_768).bitPattern) }
        WAVBuilder.append(&float32, Float(1.7).bitPattern)  // beyond full scale: clamped
        #expect(try WAVReader.decode(WAVBuilder.file(formatTag: 3, channels: 1, sampleRate: 48_000, bits: 32, data: float32)).samples
            == (reference + [32_767]).flatMap { [$0, $0] })
        let pcm8: [UInt8] = [128, 255, 0]
        #expect(try WAVReader.decode(WAVBuilder.file(channels: 1, sampleRate: 48_000, bits: 8, data: pcm8)).samples
            == [0, 0, 32_512, 32_512, -32_768, -32_768])
    }

    @Test func sixChannelsKeepFrontLeftAndRight() throws {
        let frame: [Int16] = [100, 200, 300, 400, 500, 600]
        let audio = try WAVReader.decode(WAVBuilder.file(channels: 6, sampleRate: 48_000, bits: 16,
                                                         data: WAVBuilder.int16Data(frame + frame)))
        #expect(audio.samples == [100, 200, 100, 200])
    }

    @Test func unsupportedAndBrokenFilesAreRefusedClearly() throws {
        let data = WAVBuilder.int16Data([0, 0, 0, 0])
        #expect(throws: WAVError.unsupportedEncoding(formatTag: 2)) {
            try WAVReader.decode(WAVBuilder.file(formatTag: 2, channels: 1, sampleRate: 8_000, bits: 16, data: data))
        }
        #expect(throws: WAVError.unsupportedEncoding(formatTag: 7)) {  // µ-law inside WAVE_FORMAT_EXTENSIBLE
            try WAVReader.decode(WAVBuilder.file(formatTag: 7, channels: 1, sampleRate: 8_000, bits: 8, data: data, extensible: true))
        }
        #expect(throws: WAVError.unsupportedBitDepth(12, .integer)) {
            try WAVReader.decode(WAVBuilder.file(channels: 1, sampleRate: 8_000, bits: 12, data: data))
        }
        #expect(throws: WAVError.unsupportedBitDepth(16, .float)) {
            try WAVReader.decode(WAVBuilder.file(formatTag: 3, channels: 1, sampleRate: 8_000, bits: 16, data: data))
        }
        #expect(throws: WAVError.notRIFF) { try WAVReader.decode(Array("OggS and more bytes".utf8)) }
        var notWave = WAVBuilder.file(channels: 1, sampleRate: 8_000, bits: 16, data: data)
        notWave[8] = UInt8(ascii: "A")
        #expect(throws: WAVError.notWAVE) { try WAVReader.decode(notWave) }
        let noData = Array(WAVBuilder.file(channels: 1, sampleRate: 8_000, bits: 16, data: []).dropLast(8))
        #expect(throws: WAVError.missingDataChunk) { try WAVReader.decode(noData) }
        #expect(WAVError.unsupportedEncoding(formatTag: 2).description.contains("only PCM integer and IEEE float"))
        #expect(throws: WAVError.self) { try WAVReader.read(path: "/nonexistent/file.wav") }
    }
}
