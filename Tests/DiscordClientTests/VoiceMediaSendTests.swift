@testable import DiscordClient
import BotHostCore
import BotHostTestSupport
import Testing

/// A stand-in end-to-end stage that visibly changes frames (XOR, plus a marker byte), so tests
/// can see it ran on the right frames and was undone on receive.
final class XORFrameTransform: VoiceFrameTransform {
    var encrypted = 0
    var decrypted = 0
    var failNext = false

    func encryptOutgoing(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws {
        if failNext { failNext = false; throw TransformFailure() }
        encrypted += 1
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: frame.map { $0 ^ 0x5A })
        output.append(0xFA)
    }

    func decryptIncoming(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws {
        guard frame.last == 0xFA, !failNext else { failNext = false; throw TransformFailure() }
        decrypted += 1
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: frame.dropLast().map { $0 ^ 0x5A })
    }

    struct TransformFailure: Error {}
}

@Suite struct VoiceMediaSendTests {
    typealias V = VoiceCryptoVectors

    static func pipelines(_ mode: VoiceEncryptionMode, transform: (any VoiceFrameTransform)? = nil,
                          sequence: UInt16 = 100, timestamp: UInt32 = 5_000) throws -> (VoiceSendPipeline, VoiceTransportCipher) {
        let send = VoiceSendPipeline(ssrc: 0xCAFE, cipher: try VoiceTransportCipher(mode: mode, secretKey: V.key),
                                     frameTransform: transform ?? PassthroughVoiceFrameTransform(),
                                     initialSequence: sequence, initialTimestamp: timestamp)
        return (send, try VoiceTransportCipher(mode: mode, secretKey: V.key))
    }

    @Test(arguments: VoiceCryptoVectors.modes)
    func timestampsAdvanceByOneFrameAndSequenceByOne(mode: VoiceEncryptionMode) throws {
        let (send, receiver) = try Self.pipelines(mode, sequence: 65_534, timestamp: UInt32.max - 960)
        let tone = ToneAnalysis.stereoTone(frequency: 440, frames: 960 * 4)
        var headers: [RTPHeader] = []
        for i in 0..<4 {
            let datagram = try send.packet(forPCM: Array(tone[i * 1920..<(i + 1) * 1920]))
            #expect(Array(datagram.prefix(2)) == [0x80, 0x78])
            let header = try RTPHeader.parse(datagram)
            headers.append(header)
            let opus = try receiver.open(datagram, headerLength: 12)
            #expect(opus.count > 3, "an encoded Opus frame travels, decryptable with the session key")
        }
        #expect(headers.map(\.sequence) == [65_534, 65_535, 0, 1])
        #expect(headers.map(\.timestamp) == [UInt32.max - 960, UInt32.max, 959, 1_919])
        #expect(headers.allSatisfy { $0.ssrc == 0xCAFE })
        #expect(send.counters.packets == 4)
    }

    @Test func timestampStaysContinuousAcrossASilencePause() throws {
        let (send, receiver) = try Self.pipelines(.aeadXChaCha20Poly1305RTPSize)
        let frame = ToneAnalysis.stereoTone(frequency: 440, frames: 960)
        _ = try send.packet(forPCM: frame)
        _ = try send.packet(forPCM: frame)
        let silence = try send.silencePackets()
        #expect(silence.count == 5)
        for (i, datagram) in silence.enumerated() {
            let header = try RTPHeader.parse(datagram)
            #expect(header.sequence == UInt16(102 + i))
            #expect(header.timestamp == UInt32(5_000 + 960 * (2 + i)))
            #expect(try receiver.open(datagram, headerLength: 12) == [0xF8, 0xFF, 0xFE])
        }
        // 43 frame slots pass without packets; the timestamp follows real time, the sequence does not.
        send.skipFrames(43)
        let resumed = try RTPHeader.parse(try send.packet(forPCM: frame))
        #expect(resumed.sequence == 107)
        #expect(resumed.timestamp == UInt32(5_000 + 960 * (2 + 5 + 43)))
        #expect(send.counters.silenceFrames == 5)
        #expect(send.counters.skippedFrames == 43)
    }

    @Test func preEncodedOpusAdvancesByItsOwnDuration() throws {
        let (send, receiver) = try Self.pipelines(.aeadXChaCha20Poly1305RTPSize)
        // TOC 0xFB: CELT 20 ms frames, code 3; count byte 3 (CBR) → three 2-byte frames, 60 ms.
        let sixtyMs: [UInt8] = [0xFB, 0x03, 0xFF, 0xFE, 0xFF, 0xFE, 0xFF, 0xFE]
        let first = try send.packet(forOpus: sixtyMs)
        let second = try send.packet(forOpus: VoiceAudioFormat.silenceFrame)
        #expect(try RTPHeader.parse(first).timestamp == 5_000)
        #expect(try RTPHeader.parse(second).timestamp == 5_000 + 2_880)
        #expect(try receiver.open(first, headerLength: 12) == sixtyMs, "pass-through: the bytes are not re-encoded")
        #expect(throws: VoiceSendError.self) { try send.packet(forOpus: []) }
        #expect(throws: VoiceSendError.self) { try send.packet(forOpus: [0x03, 0x00]) }
        #expect(try RTPHeader.parse(try send.packet(forOpus: VoiceAudioFormat.silenceFrame)).sequence == 102,
                "refused frames consume no sequence number")
    }

    @Test func pcmOfTheWrongSizeIsRefused() throws {
        let (send, _) = try Self.pipelines(.aeadXChaCha20Poly1305RTPSize)
        #expect(throws: VoiceSendError.wrongPCMFrameSize(got: 960, expected: 1920)) {
            try send.packet(forPCM: [Int16](repeating: 0, count: 960))
        }
        #expect(throws: VoiceSendError.wrongPCMFrameSize(got: 1921, expected: 1920)) {
            try send.packet(forPCM: [Int16](repeating: 0, count: 1921))
        }
        #expect(send.counters.packets == 0)
    }

    @Test func theFrameTransformRunsBetweenOpusAndRTPButNotOnSilence() throws {
        let transform = XORFrameTransform()
        let (send, receiver) = try Self.pipelines(.aeadXChaCha20Poly1305RTPSize, transform: transform)
        let opus: [UInt8] = [0xFC, 0x10, 0x20, 0x30]
        let sent = try receiver.open(try send.packet(forOpus: opus), headerLength: 12)
        let expected: [UInt8] = opus.map { $0 ^ 0x5A } + [0xFA]
        #expect(sent == expected)
        for datagram in try send.silencePackets() {
            #expect(try receiver.open(datagram, headerLength: 12) == VoiceAudioFormat.silenceFrame)
        }
        #expect(transform.encrypted == 1)
        transform.failNext = true
        #expect(throws: VoiceSendError.frameTransformFailed("TransformFailure()")) { try send.packet(forOpus: opus) }
    }
}
