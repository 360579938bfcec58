import AudioFiles
@testable import BotHost
import Foundation
import BotHostTestSupport
import Testing

/// Files this project writes, checked by independent tools: Debian's opus-tools (`opusinfo`
/// validates the Ogg Opus structure, `opusdec` decodes it).
@Suite struct AudioFilesOpusToolsTests {
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Two seconds of a 440 Hz tone through the real encoder into an Ogg Opus file, trimmed so a
    /// decoder returns exactly 96 000 samples.
    static func writeToneFile() throws -> String {
        let path = AudioFilesScratch.path("tone.opus")
        let encoder = try OpusFrameEncoder()
        let writer = try OggOpusWriter(path: path, configuration: .init(
            preSkip: UInt16(try encoder.lookahead()), comments: ["TITLE=440 Hz"]))
        let tone = ToneAnalysis.stereoTone(frequency: 440, frames: 960 * 100)
        for i in 0..<100 { try writer.write(packet: try encoder.encode(Array(tone[i * 1920..<(i + 1) * 1920]))) }
        // One more frame flushes the encoder's lookahead out of its delay line.
        try writer.write(packet: try encoder.encode([Int16](repeating: 0, count: 1920)))
        try writer.finish(trimmedSampleCount: 96_000)
        return path
    }

    @Test func opusinfoAcceptsTheFile() throws {
        guard let opusinfo = Self.tool("opusinfo") else {
            Issue.record("opusinfo is not on PATH: install opus-tools (scripts/install-deps.sh does)")
            return
        }
        let path = try Self.writeToneFile()
        let (status, output) = try Self.run(opusinfo, [path])
        #expect(status == 0, "opusinfo: \(output)")
        #expect(!output.contains("WARNING") && !output.contains("ERROR"), "opusinfo: \(output)")
        #expect(output.contains("Pre-skip: 312"), "opusinfo: \(output)")
        #expect(output.contains("Channels: 2"), "opusinfo: \(output)")
        #expect(output.contains("Playback length: 0m:02.000s"), "opusinfo: \(output)")
        #expect(output.contains("TITLE=440 Hz"), "opusinfo: \(output)")
    }

    @Test func opusdecDecodesItToTheRightLengthAndPitch() throws {
        guard let opusdec = Self.tool("opusdec") else {
            Issue.record("opusdec is not on PATH: install opus-tools (scripts/install-deps.sh does)")
            return
        }
        let path = try Self.writeToneFile()
        let wavPath = AudioFilesScratch.path("tone.wav")
        let (status, output) = try Self.run(opusdec, ["--quiet", path, wavPath])
        #expect(status == 0, "opusdec: \(output)")
        let audio = try WAVReader.read(path: wavPath)
        #expect(audio.sourceFormat == WAVFormat(encoding: .integer, channelCount: 2, sampleRate: 48_000, bitsPerSample: 16))
        #expect(audio.frameCount == 96_000, "2 s exactly: pre-skip and end trim honoured")
        let left = Array(ToneAnalysis.channel(audio.samples, channel: 0).dropFirst(4_800))
        #expect(abs(ToneAnalysis.dominantFrequency(in: left) - 440) <= 5)
    }

    @Test func aFileOfTheRealEncoderReadsBackForPassThrough() throws {
        let path = try Self.writeToneFile()
        let reader = try OggOpusReader(path: path)
        let packets = try reader.readAllPackets()
        #expect(packets.count == 101)
        #expect(packets.allSatisfy { $0.sampleCount == 960 })
        // The packets play through the send pipeline unchanged and decode to the tone.
        let decoder = try OpusFrameDecoder()
        let pcm = try packets.flatMap { try decoder.decode($0.data) }
        let left = Array(ToneAnalysis.channel(pcm, channel: 0).dropFirst(4_800).prefix(48_000))
        #expect(abs(ToneAnalysis.dominantFrequency(in: left) - 440) <= 5)
    }
}
