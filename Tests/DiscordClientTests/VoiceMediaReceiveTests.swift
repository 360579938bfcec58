@testable import DiscordClient
import BotHostCore
import BotHostTestSupport
import Testing

/// Builds sealed datagrams for arbitrary sequence numbers, as a remote sender would.
struct RemoteVoiceSender {
    let cipher: VoiceTransportCipher
    let ssrc: UInt32
    /// Real Opus frames of a 440 Hz tone, so decoding and concealment run for real.
    let frames: [[UInt8]]

    init(mode: VoiceEncryptionMode = .aeadXChaCha20Poly1305RTPSize, ssrc: UInt32 = 77, frameCount: Int = 40) throws {
        cipher = try VoiceTransportCipher(mode: mode, secretKey: VoiceCryptoVectors.key)
        self.ssrc = ssrc
        // FEC on, as a speaker on a lossy link would send.
        let encoder = try OpusFrameEncoder(settings: OpusEncoderSettings(application: .voip, bitrate: 32_000, inbandFEC: true,
                                                                         expectedPacketLossPercent: 20))
        let tone = ToneAnalysis.stereoTone(frequency: 440, frames: 960 * frameCount)
        frames = try (0..<frameCount).map { try encoder.encode(Array(tone[$0 * 1920..<($0 + 1) * 1920])) }
    }

    /// The datagram for frame `index` (mod the frame count), numbered from `base`.
    func datagram(_ index: Int, base: UInt16 = 0, timestampBase: UInt32 = 0, opus: [UInt8]? = nil) -> [UInt8] {
        let header = RTPHeader(sequence: base &+ UInt16(truncatingIfNeeded: index),
                               timestamp: timestampBase &+ UInt32(truncatingIfNeeded: index * 960), ssrc: ssrc)
        return cipher.seal(header: header.clearBytes(), payload: opus ?? frames[index % frames.count])
    }
}

@Suite struct VoiceMediaReceiveTests {
    static func pipeline(depth: Int = 3, decodes: Bool = true, maxSources: Int = 32,
                         transform: (any VoiceFrameTransform)? = nil) throws -> VoiceReceivePipeline {
        VoiceReceivePipeline(
            cipher: try VoiceTransportCipher(mode: .aeadXChaCha20Poly1305RTPSize, secretKey: VoiceCryptoVectors.key),
            frameTransform: transform ?? PassthroughVoiceFrameTransform(),
            configuration: .init(reorderDepth: depth, maxSources: maxSources, decodesPCM: decodes))
    }

    @Test func inOrderPacketsComeOutAtOnceDecoded() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline()
        var pcm: [Int16] = []
        for i in 0..<40 {
            let frames = try receiver.receive(sender.datagram(i, base: 500, timestampBase: 9_600))
            #expect(frames.count == 1)
            #expect(frames.first?.sequence == UInt16(500 + i))
            #expect(frames.first?.timestamp == UInt32(9_600 + 960 * i))
            #expect(frames.first?.opus == sender.frames[i], "the Opus frame is exposed unchanged for recording")
            pcm += frames.first?.pcm ?? []
        }
        let left = Array(ToneAnalysis.channel(pcm, channel: 0).dropFirst(4_800))
        #expect(abs(ToneAnalysis.dominantFrequency(in: left) - 440) <= 5)
        #expect(receiver.counters.accepted == 40)
        #expect(receiver.counters.lost == 0)
    }

    @Test func outOfOrderPacketsAreReordered() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline()
        var order: [UInt16] = []
        for i in [0, 2, 3, 1, 4, 6, 5, 7] {
            order += try receiver.receive(sender.datagram(i)).map(\.sequence)
        }
        #expect(order == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(receiver.counters.lost == 0)
    }

    @Test func duplicatesAreDroppedAndCounted() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline()
        var order: [UInt16] = []
        for i in [0, 1, 1, 3, 3, 2, 2, 0] {
            order += try receiver.receive(sender.datagram(i)).map(\.sequence)
        }
        #expect(order == [0, 1, 2, 3])
        // 1 (played), 3 (buffered), 2 (played), 0 (played).
        #expect(receiver.counters.duplicate == 4)
        #expect(receiver.counters.late == 0)
    }

    @Test func sequenceNumbersWrapAround() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline()
        var order: [UInt16] = []
        // Frames 0…7 numbered from 65532: 65532 … 65535, 0 … 3, sent slightly out of order.
        for i in [0, 1, 3, 2, 5, 4, 6, 7] {
            order += try receiver.receive(sender.datagram(i, base: 65_532)).map(\.sequence)
        }
        #expect(order == [65_532, 65_533, 65_534, 65_535, 0, 1, 2, 3])
        #expect(receiver.counters.lost == 0 && receiver.counters.late == 0 && receiver.counters.duplicate == 0)
        // 65535 again after the wrap is a duplicate of a played packet, not a new one.
        #expect(try receiver.receive(sender.datagram(3, base: 65_532)).isEmpty)
        #expect(receiver.counters.duplicate == 1)
    }

    @Test func aLostPacketIsConcealedAfterTheReorderDepth() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline(depth: 3)
        var frames: [ReceivedVoiceFrame] = []
        for i in 0..<5 { frames += try receiver.receive(sender.datagram(i)) }
        #expect(frames.count == 5)
        // 5 never arrives; 6 and 7 wait behind the gap; 8 is the third, so 5 is given up.
        #expect(try receiver.receive(sender.datagram(6)).isEmpty)
        #expect(try receiver.receive(sender.datagram(7)).isEmpty)
        let released = try receiver.receive(sender.datagram(8))
        #expect(released.map(\.sequence) == [5, 6, 7, 8])
        let lost = try #require(released.first)
        #expect(lost.isLost)
        #expect(lost.timestamp == 5 * 960, "the lost slot's timestamp is the gap's")
        #expect(lost.pcm.count == 1920, "concealment audio fills the slot")
        #expect(ToneAnalysis.rms(ToneAnalysis.channel(lost.pcm, channel: 0)) > 0.01)
        #expect(receiver.counters.lost == 1)
        #expect(receiver.counters.concealed == 1)
        #expect(receiver.counters.decodedWithFEC == 1, "6 was already buffered right behind 5, so its FEC data was used")
    }

    @Test func theNextPacketsFECRebuildsALostOne() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline(depth: 1)
        for i in 0..<10 { _ = try receiver.receive(sender.datagram(i)) }
        // 10 is lost; with depth 1, 11 alone releases it, and 11 is right behind it.
        let released = try receiver.receive(sender.datagram(11))
        #expect(released.map(\.sequence) == [10, 11])
        #expect(released.first?.isLost == true)
        #expect(released.first?.pcm.count == 1920)
        #expect(receiver.counters.decodedWithFEC == 1)
    }

    @Test func aPacketArrivingAfterItsSlotPlayedIsLate() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline(depth: 2)
        _ = try receiver.receive(sender.datagram(0))
        _ = try receiver.receive(sender.datagram(2))
        #expect(try receiver.receive(sender.datagram(3)).map(\.sequence) == [1, 2, 3])
        #expect(try receiver.receive(sender.datagram(1)).isEmpty)
        #expect(receiver.counters.late == 1)
        #expect(receiver.counters.duplicate == 0)
        #expect(receiver.counters.lost == 1)
    }

    @Test func flushReleasesWhatWaitsBehindAGap() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline(depth: 5)
        _ = try receiver.receive(sender.datagram(0))
        #expect(try receiver.receive(sender.datagram(2)).isEmpty)
        #expect(try receiver.receive(sender.datagram(3)).isEmpty)
        let flushed = receiver.flush(ssrc: sender.ssrc)
        #expect(flushed.map(\.sequence) == [1, 2, 3])
        #expect(flushed.map(\.isLost) == [true, false, false])
        #expect(receiver.flush(ssrc: sender.ssrc).isEmpty)
        // The stream goes on after a flush.
        #expect(try receiver.receive(sender.datagram(4)).map(\.sequence) == [4])
    }

    @Test func longGapsAreConcealedOnlyUpToTheLimit() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline(depth: 3)
        _ = try receiver.receive(sender.datagram(0))
        // 1…20 lost; 21 arrives: the window forces them out, at most 5 are concealed.
        var frames = try receiver.receive(sender.datagram(21))
        frames += receiver.flush(ssrc: sender.ssrc)
        #expect(frames.filter(\.isLost).count == 5)
        #expect(frames.last?.sequence == 21)
        #expect(receiver.counters.lost == 20)
    }

    @Test func aHugeSequenceJumpRestartsTheStream() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline()
        _ = try receiver.receive(sender.datagram(0, base: 1_000))
        let frames = try receiver.receive(sender.datagram(0, base: 30_000))
        #expect(frames.map(\.sequence) == [30_000])
        #expect(receiver.counters.restarts == 1)
        #expect(receiver.counters.lost == 0)
    }

    @Test func sourcesAreSeparateBoundedAndEvictable() throws {
        let a = try RemoteVoiceSender(ssrc: 1, frameCount: 4)
        let b = try RemoteVoiceSender(ssrc: 2, frameCount: 4)
        let c = try RemoteVoiceSender(ssrc: 3, frameCount: 4)
        let receiver = try Self.pipeline(maxSources: 2)
        #expect(try receiver.receive(a.datagram(0, base: 10)).map(\.ssrc) == [1])
        #expect(try receiver.receive(b.datagram(0, base: 900)).map(\.ssrc) == [2])
        #expect(try receiver.receive(a.datagram(1, base: 10)).map(\.sequence) == [11])
        // A third source evicts the least recently heard (2).
        _ = try receiver.receive(c.datagram(0))
        #expect(Set(receiver.activeSSRCs) == [1, 3])
        #expect(receiver.counters.evictedSources == 1)
        receiver.removeSource(ssrc: 1)
        #expect(receiver.activeSSRCs == [3])
    }

    @Test func badDatagramsAreCountedAndTyped() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline()
        var forged = sender.datagram(0)
        forged[20] ^= 1
        #expect(throws: VoiceReceiveError.undecryptable(.authenticationFailed)) { try receiver.receive(forged) }
        #expect(throws: VoiceReceiveError.malformed(.tooShort(length: 5))) { try receiver.receive([0x80, 0x78, 0, 1, 2]) }
        #expect(throws: VoiceReceiveError.undecryptable(.packetTooShort(length: 14, minimum: 32))) {
            try receiver.receive(Array(sender.datagram(0).prefix(14)))
        }
        // RTCP receiver report and a non-Opus payload type are skipped silently.
        #expect(try receiver.receive([0x81, 0xC9, 0x00, 0x07] + [UInt8](repeating: 0, count: 28)).isEmpty)
        let video = sender.cipher.seal(header: RTPHeader(sequence: 1, timestamp: 1, ssrc: 9, payloadType: 101).clearBytes(),
                                       payload: [1, 2, 3])
        #expect(try receiver.receive(video).isEmpty)
        #expect(receiver.counters.undecryptable == 2)
        #expect(receiver.counters.malformed == 1)
        #expect(receiver.counters.ignored == 2)
        #expect(receiver.counters.accepted == 0)
        // Garbage that authenticates but is not Opus is concealed, not fatal.
        let frames = try receiver.receive(sender.datagram(0, opus: [0x03, 0x00]))
        #expect(frames.count == 1 && frames.first?.pcm.count == 1920)
        #expect(receiver.counters.undecodable == 1)
    }

    @Test func theFrameTransformIsUndoneAndSilencePassesUntouched() throws {
        let transform = XORFrameTransform()
        let send = VoiceSendPipeline(ssrc: 5, cipher: try VoiceTransportCipher(mode: .aeadXChaCha20Poly1305RTPSize,
                                                                             secretKey: VoiceCryptoVectors.key),
                                     frameTransform: transform, initialSequence: 0, initialTimestamp: 0)
        let receiver = try Self.pipeline(transform: transform)
        let tone = ToneAnalysis.stereoTone(frequency: 440, frames: 960)
        let frames = try receiver.receive(try send.packet(forPCM: tone))
        #expect(frames.count == 1 && frames.first?.pcm.count == 1920)
        for datagram in try send.silencePackets() {
            #expect(try receiver.receive(datagram).first?.opus == VoiceAudioFormat.silenceFrame)
        }
        #expect(transform.encrypted == 1 && transform.decrypted == 1)
        let datagram = try send.packet(forPCM: tone)
        transform.failNext = true
        #expect(throws: VoiceReceiveError.frameTransformFailed(ssrc: 5, reason: "TransformFailure()")) {
            try receiver.receive(datagram)
        }
        #expect(receiver.counters.undecryptable == 1)
    }

    @Test func aRecorderCanSkipDecoding() throws {
        let sender = try RemoteVoiceSender()
        let receiver = try Self.pipeline(decodes: false)
        let frames = try receiver.receive(sender.datagram(0)) + receiver.receive(sender.datagram(2))
            + receiver.receive(sender.datagram(1))
        #expect(frames.map(\.opus) == [sender.frames[0], sender.frames[1], sender.frames[2]])
        #expect(frames.allSatisfy { $0.pcm.isEmpty })
    }
}
