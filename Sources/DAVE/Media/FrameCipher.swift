import Crypto

/// AES-128-GCM with the tag truncated to 8 bytes and the 12-byte nonce made of 8 zero bytes and
/// the 32-bit truncated nonce in little-endian order, as DAVE frames use it.
///
/// swift-crypto opens only full 16-byte tags, so opening recomputes the tag: GCM encryption is a
/// keystream XOR, so sealing the ciphertext yields the plaintext, and sealing that plaintext
/// yields the received ciphertext with the full tag over it (and the additional data), whose
/// first 8 bytes must equal the received ones. Compared in constant time.
struct FrameCipher {
    let key: SymmetricKey

    init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    static func nonce(_ truncated: UInt32) -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        bytes[8] = UInt8(truncatingIfNeeded: truncated)
        bytes[9] = UInt8(truncatingIfNeeded: truncated >> 8)
        bytes[10] = UInt8(truncatingIfNeeded: truncated >> 16)
        bytes[11] = UInt8(truncatingIfNeeded: truncated >> 24)
        // 12 bytes is always a valid GCM nonce.
        return try! AES.GCM.Nonce(data: bytes)
    }

    /// Ciphertext and the truncated tag.
    func seal(_ plaintext: [UInt8], nonce: UInt32, aad: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: Self.nonce(nonce), authenticating: aad)
        return (Array(box.ciphertext), Array(box.tag.prefix(ProtocolFrame.tagLength)))
    }

    /// The plaintext, or nil when the truncated tag does not verify.
    func open(_ ciphertext: [UInt8], tag: some Collection<UInt8>, nonce: UInt32, aad: [UInt8]) -> [UInt8]? {
        let gcmNonce = Self.nonce(nonce)
        guard let keystreamed = try? AES.GCM.seal(ciphertext, using: key, nonce: gcmNonce, authenticating: []) else { return nil }
        let plaintext = Array(keystreamed.ciphertext)
        guard let resealed = try? AES.GCM.seal(plaintext, using: key, nonce: gcmNonce, authenticating: aad) else { return nil }
        var difference: UInt8 = 0
        var received = tag.makeIterator()
        for expected in resealed.tag.prefix(ProtocolFrame.tagLength) {
            guard let byte = received.next() else { return nil }
            difference |= expected ^ byte
        }
        return difference == 0 ? plaintext : nil
    }
}
