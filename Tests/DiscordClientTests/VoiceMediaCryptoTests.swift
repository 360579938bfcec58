@testable import DiscordClient
import BotHostCore
import Testing

/// Known answers computed independently with Python's `cryptography` package (AESGCM, and
/// XChaCha20-Poly1305 built from HChaCha20 + ChaCha20Poly1305, itself checked against the
/// draft-irtf-cfrg-xchacha test vectors), laid out as Discord's rtpsize modes define.
enum VoiceCryptoVectors {
    static let key = hex("030a11181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dc")
    static let header = hex("8078123400abcdef0000beef")
    static let payload = hex("fc0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627")
    /// Nonce counter 0x01020304.
    static let aesPacket = hex(
        "8078123400abcdef0000beef37f7c63a5f5527fbddd9418c41797955853dfd24a1da04302930598557fcc47e7b17bf9caeffe24f52de21c61cf504124fa43a7e87915f1201020304")
    static let xchachaPacket = hex(
        "8078123400abcdef0000beeff32c5692a926cff428ff249ea0e123c8abcb80e4651cb684a5073d12502449dfe5ebf5473670632f65909defaab8bfbe8d2412a9476f50bb01020304")
    /// V=2, X=1, CC=1, seq 0xFFFE, ts 2400, SSRC 0x11223344, CSRC 0xAABBCCDD, extension 0xBEDE
    /// of one word whose body (10 ab 00 00) is encrypted together with the Opus frame F8 FF FE;
    /// nonce counter 7.
    static let aesExtensionPacket = hex(
        "9178fffe0000096011223344aabbccddbede00016864c230f69f9dc04a2c1818230ba124edfc2fe774c31100000007")
    static let xchachaExtensionPacket = hex(
        "9178fffe0000096011223344aabbccddbede00011987267894435e6a910994f36b0b75d11ff2de506f6a9e00000007")

    static func hex(_ string: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = string.startIndex
        while index < string.endIndex {
            let next = string.index(index, offsetBy: 2)
            bytes.append(UInt8(string[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    /// The modes this machine can run (AES-GCM needs AES-NI).
    static var modes: [VoiceEncryptionMode] { VoiceEncryptionMode.available }

    static func knownPacket(_ mode: VoiceEncryptionMode) -> [UInt8] {
        mode == .aeadAES256GCMRTPSize ? aesPacket : xchachaPacket
    }
}

@Suite struct VoiceMediaCryptoTests {
    typealias V = VoiceCryptoVectors

    @Test(arguments: VoiceCryptoVectors.modes)
    func sealMatchesTheKnownAnswer(mode: VoiceEncryptionMode) throws {
        let cipher = try VoiceTransportCipher(mode: mode, secretKey: V.key, initialNonce: 0x0102_0304)
        #expect(cipher.seal(header: V.header, payload: V.payload) == V.knownPacket(mode))
        #expect(cipher.nextNonce == 0x0102_0305)
    }

    @Test(arguments: VoiceCryptoVectors.modes)
    func openRecoversTheKnownPlaintext(mode: VoiceEncryptionMode) throws {
        let cipher = try VoiceTransportCipher(mode: mode, secretKey: V.key)
        #expect(try cipher.open(V.knownPacket(mode), headerLength: 12) == V.payload)
    }

    @Test(arguments: VoiceCryptoVectors.modes)
    func roundTripAndCounterSuffix(mode: VoiceEncryptionMode) throws {
        let sender = try VoiceTransportCipher(mode: mode, secretKey: V.key, initialNonce: .max)
        let receiver = try VoiceTransportCipher(mode: mode, secretKey: V.key)
        let first = sender.seal(header: V.header, payload: [1, 2, 3])
        let second = sender.seal(header: V.header, payload: [1, 2, 3])
        #expect(first.count == 12 + 3 + 16 + 4)
        #expect(Array(first.suffix(4)) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(second.suffix(4)) == [0, 0, 0, 0], "the counter wraps")
        #expect(first[12..<15] != second[12..<15], "a new nonce gives a new ciphertext")
        #expect(Array(first.prefix(12)) == V.header, "the header travels in the clear")
        #expect(try receiver.open(first, headerLength: 12) == [1, 2, 3])
        #expect(try receiver.open(second, headerLength: 12) == [1, 2, 3])
        // An empty payload still authenticates.
        #expect(try receiver.open(sender.seal(header: V.header, payload: []), headerLength: 12) == [])
    }

    @Test(arguments: VoiceCryptoVectors.modes)
    func tamperingIsRejected(mode: VoiceEncryptionMode) throws {
        let cipher = try VoiceTransportCipher(mode: mode, secretKey: V.key)
        let packet = V.knownPacket(mode)
        // Every single flipped bit, in the header (AAD), ciphertext, tag or nonce, must fail.
        for byte in packet.indices {
            var forged = packet
            forged[byte] ^= 0x10
            #expect(throws: VoiceCryptoError.authenticationFailed) { try cipher.open(forged, headerLength: 12) }
        }
        var wrongKey = V.key
        wrongKey[0] ^= 1
        let other = try VoiceTransportCipher(mode: mode, secretKey: wrongKey)
        #expect(throws: VoiceCryptoError.authenticationFailed) { try other.open(packet, headerLength: 12) }
        #expect(throws: VoiceCryptoError.authenticationFailed) { try cipher.open(Array(packet.dropLast()), headerLength: 12) }
        #expect(throws: VoiceCryptoError.packetTooShort(length: 31, minimum: 32)) {
            try cipher.open(Array(packet.prefix(31)), headerLength: 12)
        }
        #expect(throws: VoiceCryptoError.packetTooShort(length: 0, minimum: 32)) { try cipher.open([], headerLength: 12) }
        #expect(throws: VoiceCryptoError.invalidHeaderLength(-1)) { try cipher.open(packet, headerLength: -1) }
    }

    @Test func keysAndModesAreChecked() throws {
        #expect(throws: VoiceCryptoError.invalidKeyLength(16)) {
            try VoiceTransportCipher(mode: .aeadXChaCha20Poly1305RTPSize, secretKey: [UInt8](repeating: 0, count: 16))
        }
        #expect(VoiceEncryptionMode.available.contains(.aeadXChaCha20Poly1305RTPSize))
        if VoiceEncryptionMode.aeadAES256GCMRTPSize.isAvailable {
            #expect(VoiceEncryptionMode.available == [.aeadAES256GCMRTPSize, .aeadXChaCha20Poly1305RTPSize])
            #expect(VoiceEncryptionMode.preferred(from: ["aead_xchacha20_poly1305_rtpsize", "aead_aes256_gcm_rtpsize"])
                == .aeadAES256GCMRTPSize)
        } else {
            // Without AES-NI the mode is never offered, and asking for it is refused.
            #expect(VoiceEncryptionMode.available == [.aeadXChaCha20Poly1305RTPSize])
            #expect(throws: VoiceCryptoError.modeUnavailable(.aeadAES256GCMRTPSize)) {
                try VoiceTransportCipher(mode: .aeadAES256GCMRTPSize, secretKey: V.key)
            }
        }
        #expect(VoiceEncryptionMode.preferred(from: ["aead_xchacha20_poly1305_rtpsize", "xsalsa20_poly1305"])
            == .aeadXChaCha20Poly1305RTPSize)
        #expect(VoiceEncryptionMode.preferred(from: ["xsalsa20_poly1305_lite"]) == nil)
        #expect(VoiceEncryptionMode.aeadAES256GCMRTPSize.nonceLength == 12)
        #expect(VoiceEncryptionMode.aeadXChaCha20Poly1305RTPSize.nonceLength == 24)
    }
}
