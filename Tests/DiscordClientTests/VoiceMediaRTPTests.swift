@testable import DiscordClient
import BotHostCore
import BotHostTestSupport
import Testing

@Suite struct VoiceMediaRTPTests {
    typealias V = VoiceCryptoVectors

    @Test func buildsDiscordsHeader() {
        var bytes = [UInt8](repeating: 0, count: 12)
        bytes.withUnsafeMutableBytes {
            RTPHeader.writeDiscordHeader(sequence: 0x1234, timestamp: 0x89AB_CDEF, ssrc: 0x0102_0304, into: $0)
        }
        #expect(bytes == [0x80, 0x78, 0x12, 0x34, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x02, 0x03, 0x04])
        #expect(RTPHeader(sequence: 0x1234, timestamp: 0x89AB_CDEF, ssrc: 0x0102_0304).clearBytes() == bytes)
    }

    @Test func parsesASimpleHeader() throws {
        let header = try RTPHeader.parse(V.header)
        #expect(header == RTPHeader(sequence: 0x1234, timestamp: 0x00AB_CDEF, ssrc: 0x0000_BEEF))
        #expect(header.clearLength == 12)
        #expect(header.extensionBodyLength == 0)
    }

    /// A packet as Discord sends it with CSRCs and an RTP header extension: the preamble is in
    /// the clear (and authenticated), the extension body is encrypted with the Opus frame and must
    /// be stripped after decryption.
    @Test(arguments: VoiceCryptoVectors.modes)
    func parsesCSRCsAndStripsTheEncryptedExtensionBody(mode: VoiceEncryptionMode) throws {
        let packet = mode == .aeadAES256GCMRTPSize ? V.aesExtensionPacket : V.xchachaExtensionPacket
        let header = try RTPHeader.parse(packet)
        #expect(header.sequence == 0xFFFE)
        #expect(header.timestamp == 2_400)
        #expect(header.ssrc == 0x1122_3344)
        #expect(header.csrcs == [0xAABB_CCDD])
        #expect(header.extensionProfile == 0xBEDE)
        #expect(header.extensionLengthInWords == 1)
        #expect(header.marker == false && header.hasPadding == false && header.payloadType == 0x78)
        #expect(header.clearLength == 20, "12 + one CSRC + the extension preamble")

        let cipher = try VoiceTransportCipher(mode: mode, secretKey: V.key)
        // The wrong AAD length (header without the preamble, as if the extension were not clear) fails.
        #expect(throws: VoiceCryptoError.authenticationFailed) { try cipher.open(packet, headerLength: 16) }
        let plaintext = try cipher.open(packet, headerLength: header.clearLength)
        #expect(plaintext == [0x10, 0xAB, 0x00, 0x00, 0xF8, 0xFF, 0xFE])
        let split = try header.splitPayload(length: plaintext.count, lastByte: plaintext.last)
        #expect(Array(plaintext[split.extensionBody]) == [0x10, 0xAB, 0x00, 0x00])
        #expect(Array(plaintext[split.media]) == VoiceAudioFormat.silenceFrame)
        // And the header we would build for it is byte-identical to the clear part.
        #expect(header.clearBytes() == Array(packet.prefix(20)))
    }

    @Test func removesPadding() throws {
        let header = RTPHeader(sequence: 1, timestamp: 2, ssrc: 3, hasPadding: true)
        let payload: [UInt8] = [0xF8, 0xFF, 0xFE, 0, 0, 3]
        let parsed = try RTPHeader.parse(header.clearBytes())
        #expect(parsed.hasPadding)
        let split = try parsed.splitPayload(length: payload.count, lastByte: payload.last)
        #expect(Array(payload[split.media]) == [0xF8, 0xFF, 0xFE])
        #expect(throws: RTPParseError.invalidPadding(count: 0, available: 3)) {
            try parsed.splitPayload(length: 3, lastByte: 0)
        }
        #expect(throws: RTPParseError.invalidPadding(count: 9, available: 3)) {
            try parsed.splitPayload(length: 3, lastByte: 9)
        }
    }

    @Test func malformedHeadersAreTypedErrors() throws {
        #expect(throws: RTPParseError.tooShort(length: 11)) { try RTPHeader.parse(Array(V.header.prefix(11))) }
        #expect(throws: RTPParseError.tooShort(length: 0)) { try RTPHeader.parse([UInt8]()) }
        var versionOne = V.header
        versionOne[0] = 0x40
        #expect(throws: RTPParseError.unsupportedVersion(1)) { try RTPHeader.parse(versionOne) }
        var fifteenCSRCs = V.header
        fifteenCSRCs[0] = 0x8F
        #expect(throws: RTPParseError.headerTruncated(needed: 72, length: 12)) { try RTPHeader.parse(fifteenCSRCs) }
        var extensionWithoutPreamble = V.header
        extensionWithoutPreamble[0] = 0x90
        #expect(throws: RTPParseError.headerTruncated(needed: 16, length: 12)) { try RTPHeader.parse(extensionWithoutPreamble) }
        // The preamble announces 3 words but the decrypted payload holds only 5 bytes.
        let header = try RTPHeader.parse(RTPHeader(sequence: 0, timestamp: 0, ssrc: 0, extensionProfile: 0xBEDE,
                                                   extensionLengthInWords: 3).clearBytes())
        #expect(throws: RTPParseError.extensionBodyTruncated(needed: 12, available: 5)) {
            try header.splitPayload(length: 5, lastByte: 0)
        }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var rng = SplitMix64(state: 42)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...40, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !bytes.isEmpty { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            if let header = try? RTPHeader.parse(bytes) {
                #expect(header.clearLength <= bytes.count)
                _ = try? header.splitPayload(length: Int.random(in: 0...20, using: &rng), lastByte: bytes.last)
            }
        }
    }
}
