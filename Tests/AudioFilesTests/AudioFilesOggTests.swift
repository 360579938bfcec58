@testable import AudioFiles
import Foundation
import BotHostTestSupport
import Testing

@Suite struct AudioFilesOggTests {
    @Test func oggCRCIsTheUnreflectedPolynomialWithZeroStart() {
        // CRC-32 with polynomial 0x04C11DB7, initial 0, no reflection, no final XOR, on "123456789".
        #expect(OggCRC32.checksum(Array("123456789".utf8)) == 0x89A1_897F)
        #expect(OggCRC32.checksum([]) == 0)
    }

    @Test func lacingValuesFollowPacketSizes() {
        func lacing(_ size: Int) -> [UInt8] {
            var pager = OggPacketPager(serialNumber: 1)
            _ = pager.append(packet: [UInt8](repeating: 7, count: size), granulePosition: 960)
            return pager.flush().lacingValues
        }
        #expect(lacing(100) == [100])
        #expect(lacing(255) == [255, 0], "a multiple of 255 ends with a zero-length segment")
        #expect(lacing(300) == [255, 45])
        #expect(lacing(510) == [255, 255, 0])
        #expect(lacing(0) == [0])
    }

    @Test func readerReadsBackExactlyWhatTheWriterWrote() throws {
        let path = AudioFilesScratch.path("roundtrip.opus")
        let sizes = [1, 3, 120, 254, 255, 256, 510, 1_275, 140_000, 90, 60]
        let packets = sizes.enumerated().map { AudioFilesScratch.packet(length: $1, seed: UInt8($0)) }
        let writer = try OggOpusWriter(path: path, configuration: .init(
            channelCount: 2, preSkip: 312, vendor: "BotHost test", comments: ["TITLE=round trip", "ARTIST=ünïcode"],
            serialNumber: 0x1234_5678))
        for packet in packets { try writer.write(packet: packet) }
        try writer.finish()

        let reader = try OggOpusReader(path: path)
        #expect(reader.head == OpusHead(channelCount: 2, preSkip: 312, inputSampleRate: 48_000, outputGain: 0))
        #expect(reader.tags == OpusTags(vendor: "BotHost test", comments: ["TITLE=round trip", "ARTIST=ünïcode"]))
        let read = try reader.readAllPackets()
        #expect(read.map(\.data) == packets)
        #expect(read.allSatisfy { $0.sampleCount == 960 })
        #expect(read.last?.granulePosition == Int64(960 * packets.count))
        #expect(reader.reachedEndOfStream)
        #expect(!reader.isTruncated)
        #expect(try reader.nextPacket() == nil)

        let pages = try OggPages.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(pages.map(\.sequenceNumber) == (0..<UInt32(pages.count)).map { $0 })
        #expect(pages.allSatisfy { $0.serialNumber == 0x1234_5678 })
        #expect(pages.map { $0.flags.contains(.beginningOfStream) } == [true] + Array(repeating: false, count: pages.count - 1))
        #expect(pages.map { $0.flags.contains(.endOfStream) } == Array(repeating: false, count: pages.count - 1) + [true])
        #expect(pages[0].lacingValues == [19], "OpusHead alone on the first page")
        #expect(pages[0].granulePosition == 0 && pages[1].granulePosition == 0)
        // The 140 000-byte packet needs 550 segments: it spans three pages.
        #expect(pages.contains { $0.flags.contains(.continued) })
        #expect(pages.contains { $0.granulePosition == -1 }, "a page on which no packet ends has granule -1")
    }

    @Test func audioPagesAreFlushedAboutEverySecond() throws {
        let path = AudioFilesScratch.path("flush.opus")
        let writer = try OggOpusWriter(path: path)
        for i in 0..<250 { try writer.write(packet: AudioFilesScratch.packet(length: 80, seed: UInt8(i % 200))) }  // 5 s
        // Before finishing, all but the last second is already on disk.
        let early = try OggPages.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect((early.last?.granulePosition ?? 0) >= 4 * 48_000)
        try writer.finish()
        let pages = try OggPages.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        let granules = pages.dropFirst(2).map(\.granulePosition)
        #expect(granules.count == 5)
        var previous: Int64 = 0
        for granule in granules {
            #expect(granule - previous <= 48_000, "no page holds more than a second of audio")
            previous = granule
        }
        #expect(previous == 250 * 960)
    }

    @Test func endTrimmingSetsTheLastGranule() throws {
        let path = AudioFilesScratch.path("trim.opus")
        let writer = try OggOpusWriter(path: path)
        for i in 0..<10 { try writer.write(packet: AudioFilesScratch.packet(length: 50, seed: UInt8(i))) }
        #expect(throws: OggOpusError.self) { try writer.finish(trimmedSampleCount: 9_600) }  // 312 + 9600 > 9600
        try writer.finish(trimmedSampleCount: 9_000)
        let reader = try OggOpusReader(path: path)
        _ = try reader.readAllPackets()
        #expect(reader.lastGranulePosition == 9_312)
        #expect(throws: OggOpusError.writerFinished) { try writer.write(packet: [0xFC]) }
    }

    @Test func corruptionIsDetected() throws {
        let path = AudioFilesScratch.path("corrupt.opus")
        let writer = try OggOpusWriter(path: path)
        for i in 0..<100 { try writer.write(packet: AudioFilesScratch.packet(length: 120, seed: UInt8(i))) }
        try writer.finish()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))

        var flipped = bytes
        flipped[bytes.count - 40] ^= 0x01
        let reader = try OggOpusReader(bytes: flipped)
        let error = #expect(throws: OggOpusError.self) { try reader.readAllPackets() }
        if case .checksumMismatch = error {} else { Issue.record("expected a CRC error, got \(String(describing: error))") }

        #expect(throws: OggOpusError.invalidCapturePattern(offset: 0)) { try OggOpusReader(bytes: [0x4F, 0x67] + bytes) }
        #expect(throws: OggOpusError.missingOpusHead) { try OggOpusReader(bytes: []) }

        // Cut off inside the last page, as a crash would leave it: everything before is readable.
        let truncated = try OggOpusReader(bytes: Array(bytes.dropLast(30)))
        let survivors = try truncated.readAllPackets()
        #expect(survivors.count >= 50 && survivors.count < 100)
        #expect(survivors.map(\.data) == (0..<survivors.count).map { AudioFilesScratch.packet(length: 120, seed: UInt8($0)) })
        #expect(truncated.isTruncated)
    }

    @Test func aNonOpusOggStreamIsRefused() throws {
        var pager = OggPacketPager(serialNumber: 9)
        _ = pager.append(packet: Array("\u{1}vorbis".utf8) + [UInt8](repeating: 0, count: 23), granulePosition: 0)
        let bytes = pager.flush().serialized()
        #expect(throws: OggOpusError.missingOpusHead) { try OggOpusReader(bytes: bytes) }
    }

    @Test func packetDurationsComeFromTheTOC() {
        #expect(OpusPacketDuration.sampleCount(of: [0xFC]) == 960)  // CELT 20 ms
        #expect(OpusPacketDuration.sampleCount(of: [0x08]) == 960)  // SILK NB 20 ms
        #expect(OpusPacketDuration.sampleCount(of: [0x18]) == 2_880)  // SILK NB 60 ms
        #expect(OpusPacketDuration.sampleCount(of: [0xE0]) == 120)  // CELT 2.5 ms
        #expect(OpusPacketDuration.sampleCount(of: [0xFD, 0]) == 1_920)  // code 1: two frames
        #expect(OpusPacketDuration.sampleCount(of: [0xFB, 0x06]) == 5_760)  // code 3: six 20 ms frames
        #expect(OpusPacketDuration.sampleCount(of: [0xFB, 0x07]) == nil)  // 140 ms is too long
        #expect(OpusPacketDuration.sampleCount(of: [0xFB]) == nil)
        #expect(OpusPacketDuration.sampleCount(of: []) == nil)
    }
}

/// Every page of an Ogg file, checked as the reader checks them.
enum OggPages {
    static func read(_ bytes: [UInt8]) throws -> [OggPage] {
        var reader = OggPageReader(source: .memory(bytes, position: 0))
        var pages: [OggPage] = []
        while let page = try reader.nextPage() { pages.append(page) }
        return pages
    }
}
