@testable import DAVE
import Testing

/// The frame format, the ratchet and the encryptor/decryptor pair on their own (no group).
struct FrameTests {
    static let secret: [UInt8] = Array(0..<16)
    static let opus: [UInt8] = (0..<120).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    static func pair(clock: DAVEClock = .system) -> (DAVEFrameEncryptor, DAVEFrameDecryptor) {
        let encryptor = DAVEFrameEncryptor()
        encryptor.setKeyRatchet(DAVEKeyRatchet(baseSecret: secret))
        let decryptor = DAVEFrameDecryptor(clock: clock)
        decryptor.transition(to: DAVEKeyRatchet(baseSecret: secret))
        decryptor.setPassthrough(false)
        return (encryptor, decryptor)
    }

    @Test func roundTripAndLayout() throws {
        let (encryptor, decryptor) = Self.pair()
        let frame = try encryptor.encrypt(Self.opus)
        // ciphertext (120) | tag (8) | nonce 1 (1 byte) | size 12 | FA FA
        #expect(frame.count == 120 + 8 + 1 + 1 + 2)
        #expect(Array(frame.suffix(4)) == [0x01, 12, 0xFA, 0xFA])
        #expect(Array(frame.prefix(120)) != Self.opus)
        #expect(try decryptor.decrypt(frame) == Self.opus)
    }

    @Test func tamperingIsRefused() throws {
        let (encryptor, decryptor) = Self.pair()
        var frame = try encryptor.encrypt(Self.opus)
        frame[5] ^= 1
        #expect(throws: DAVEError.authenticationFailed) { try decryptor.decrypt(frame) }
        var tag = try encryptor.encrypt(Self.opus)
        tag[121] ^= 0x80
        #expect(throws: DAVEError.authenticationFailed) { try decryptor.decrypt(tag) }
    }

    @Test func replayIsRefusedAndLateFramesOpenOnce() throws {
        let (encryptor, decryptor) = Self.pair()
        let frames = try (0..<5).map { _ in try encryptor.encrypt(Self.opus) }
        #expect(try decryptor.decrypt(frames[0]) == Self.opus)
        #expect(throws: DAVEError.replayedNonce) { try decryptor.decrypt(frames[0]) }
        #expect(try decryptor.decrypt(frames[3]) == Self.opus)
        // Out of order: a skipped nonce opens once, then counts as a replay.
        #expect(try decryptor.decrypt(frames[1]) == Self.opus)
        #expect(throws: DAVEError.replayedNonce) { try decryptor.decrypt(frames[1]) }
        #expect(throws: DAVEError.replayedNonce) { try decryptor.decrypt(frames[3]) }
        #expect(try decryptor.decrypt(frames[2]) == Self.opus)
        #expect(try decryptor.decrypt(frames[4]) == Self.opus)
    }

    /// Hand-built frames with chosen nonces: the generation is the nonce's top byte.
    static func frame(nonce: UInt32, generation: UInt32? = nil, secret: [UInt8] = secret) throws -> [UInt8] {
        var ratchet = DAVEKeyRatchet(baseSecret: secret)
        let cipher = FrameCipher(key: try ratchet.key(for: generation ?? nonce >> 24))
        let sealed = try cipher.seal(opus, nonce: nonce, aad: [])
        var output = sealed.ciphertext
        try ProtocolFrame.appendFooter(tag: sealed.tag, nonce: nonce, ranges: [], to: &output)
        return output
    }

    @Test func generationFarAheadIsRefused() throws {
        let time = DAVEClock.ManualTime()
        let (_, decryptor) = Self.pair(clock: .manual(time))
        #expect(try decryptor.decrypt(try Self.frame(nonce: 1)) == Self.opus)
        #expect(throws: DAVEError.generationTooFarAhead(251)) { try decryptor.decrypt(try Self.frame(nonce: 251 << 24)) }
        #expect(try decryptor.decrypt(try Self.frame(nonce: 250 << 24)) == Self.opus)
        // Once generation 0 has expired, a top byte of 4 can only mean 256 + 4: the nonce wrapped.
        time.advance(by: .seconds(11))
        #expect(try decryptor.decrypt(try Self.frame(nonce: 4 << 24, generation: 260)) == Self.opus)
    }

    @Test func previousEpochKeysLastTenSeconds() throws {
        let time = DAVEClock.ManualTime()
        let (encryptor, decryptor) = Self.pair(clock: .manual(time))
        let oldFrame = try encryptor.encrypt(Self.opus)
        let newSecret = Array(repeating: UInt8(9), count: 16)
        decryptor.transition(to: DAVEKeyRatchet(baseSecret: newSecret))
        encryptor.setKeyRatchet(DAVEKeyRatchet(baseSecret: newSecret))
        let newFrame = try encryptor.encrypt(Self.opus)
        let lateFrame = try Self.frame(nonce: 7)
        #expect(try decryptor.decrypt(newFrame) == Self.opus)
        time.advance(by: .seconds(9))
        #expect(try decryptor.decrypt(oldFrame) == Self.opus)
        time.advance(by: .seconds(2))
        #expect(throws: DAVEError.authenticationFailed) { try decryptor.decrypt(lateFrame) }
    }

    @Test func oldGenerationsExpireAfterANewerOneIsUsed() throws {
        let time = DAVEClock.ManualTime()
        let (_, decryptor) = Self.pair(clock: .manual(time))
        #expect(try decryptor.decrypt(try Self.frame(nonce: 0x00FF_FFF0)) == Self.opus)
        #expect(try decryptor.decrypt(try Self.frame(nonce: 0x0100_0001)) == Self.opus)
        time.advance(by: .seconds(5))
        // Generation 0, skipped over: still open for 10 s after generation 1 was first used.
        #expect(try decryptor.decrypt(try Self.frame(nonce: 0x00FF_FFF5)) == Self.opus)
        time.advance(by: .seconds(6))
        #expect(try decryptor.decrypt(try Self.frame(nonce: 0x0100_0002)) == Self.opus)
        #expect(throws: DAVEError.self) { try decryptor.decrypt(try Self.frame(nonce: 0x00FF_FFF6)) }
    }

    @Test func silenceAndPassthrough() throws {
        let time = DAVEClock.ManualTime()
        let (encryptor, decryptor) = Self.pair(clock: .manual(time))
        let silence: [UInt8] = [0xF8, 0xFF, 0xFE]
        #expect(try encryptor.encrypt(silence) == silence)
        #expect(try decryptor.decrypt(silence) == silence)
        // Passthrough ended in pair(): unencrypted frames are still accepted for 10 s.
        #expect(try decryptor.decrypt(Self.opus) == Self.opus)
        time.advance(by: .seconds(11))
        #expect(throws: DAVEError.unencryptedFrame) { try decryptor.decrypt(Self.opus) }
        #expect(throws: DAVEError.unencryptedFrame) { try decryptor.decrypt(silence, mediaType: .video) }
        #expect(try decryptor.decrypt(silence) == silence)
        decryptor.setPassthrough(true)
        #expect(try decryptor.decrypt(Self.opus) == Self.opus)
        // Turning passthrough off leaves it on for the retention window (frames in flight).
        decryptor.setPassthrough(false)
        time.advance(by: .seconds(10))
        #expect(try decryptor.decrypt(Self.opus) == Self.opus)
        time.advance(by: .milliseconds(1))
        #expect(throws: DAVEError.unencryptedFrame) { try decryptor.decrypt(Self.opus) }
        encryptor.setPassthrough(true)
        #expect(try encryptor.encrypt(Self.opus) == Self.opus)
        let bare = DAVEFrameEncryptor()
        bare.setPassthrough(false)
        #expect(throws: DAVEError.missingKey) { try bare.encrypt(Self.opus) }
    }

    @Test func unencryptedRangesStayInPlaceAndAreAuthenticated() throws {
        let (encryptor, decryptor) = Self.pair()
        let header: [UInt8] = Array(Self.opus)
        var frame: [UInt8] = []
        try header.withUnsafeBytes { try encryptor.encrypt($0, unencryptedRanges: [0..<1, 10..<20], into: &frame) }
        #expect(frame[0] == header[0] && Array(frame[10..<20]) == Array(header[10..<20]))
        #expect(Array(frame[1..<10]) != Array(header[1..<10]))
        #expect(try decryptor.decrypt(frame, mediaType: .video) == header)
        var tampered = try { () throws -> [UInt8] in
            var out: [UInt8] = []
            try header.withUnsafeBytes { try encryptor.encrypt($0, unencryptedRanges: [0..<1, 10..<20], into: &out) }
            return out
        }()
        tampered[12] ^= 1
        #expect(throws: DAVEError.authenticationFailed) { try decryptor.decrypt(tampered, mediaType: .video) }
    }

    @Test func ratchetErasesGenerations() throws {
        var ratchet = DAVEKeyRatchet(baseSecret: Self.secret)
        let key3 = try ratchet.key(for: 3)
        var other = DAVEKeyRatchet(baseSecret: Self.secret)
        #expect(try other.key(for: 3) == key3)
        #expect(try other.key(for: 0) != key3)
        ratchet.erase(below: 3)
        #expect(throws: DAVEError.expiredGeneration(2)) { try ratchet.key(for: 2) }
        #expect(try ratchet.key(for: 3) == key3)
    }

    @Test func uleb128() {
        for value: UInt64 in [0, 1, 127, 128, 300, 0xFFFF_FFFF, .max] {
            var bytes: [UInt8] = []
            ULEB128.write(value, to: &bytes)
            #expect(bytes.count == ULEB128.size(of: value))
            var position = 0
            let read = bytes.withUnsafeBytes { ULEB128.read($0, at: &position, end: $0.count) }
            #expect(read == value && position == bytes.count)
        }
        var position = 0
        let overlong: [UInt8] = Array(repeating: 0xFF, count: 10) + [0x01]
        #expect(overlong.withUnsafeBytes { ULEB128.read($0, at: &position, end: $0.count) } == nil)
    }

    /// Hostile frames: random and mutated bytes never trap; they are refused or (rarely) pass.
    @Test func hostileFramesNeverTrap() throws {
        let (encryptor, decryptor) = Self.pair()
        var generator = SeededGenerator(seed: 0xDA5E)
        let valid = try encryptor.encrypt(Self.opus)
        for round in 0..<20_000 {
            var frame: [UInt8]
            if round % 2 == 0 {
                frame = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if frame.count >= 2, round % 4 == 0 { frame[frame.count - 1] = 0xFA; frame[frame.count - 2] = 0xFA }
            } else {
                frame = valid
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let index = Int.random(in: max(0, frame.count - 16)..<frame.count, using: &generator)
                    frame[index] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            _ = try? decryptor.decrypt(frame)
        }
    }
}

/// xorshift64*: reproducible randomness for the hostile-input tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
