import CSodium

/// The `_rtpsize` AEAD transport encryption, both directions, over libsodium.
///
/// Packet = unencrypted RTP header (fixed 12 bytes, CSRCs, and the 4-byte extension preamble
/// when X is set) used as associated data ‖ ciphertext ‖ 16-byte tag ‖ 4-byte big-endian nonce
/// counter. The extension *body* is encrypted together with the payload. The AEAD nonce is the
/// counter in the first four bytes of an otherwise zero 12-byte (AES-GCM) or 24-byte (XChaCha)
/// buffer.
enum VoiceTransportCipher {
    static let tagLength = 16
    static let nonceSuffixLength = 4
    static let keyLength = 32

    /// libsodium must be initialised once before use; `sodium_init` is idempotent and thread-safe.
    private static let sodiumReady: Bool = sodium_init() >= 0

    /// Whether this machine can do AES-256-GCM (libsodium needs AES-NI and CLMUL for it).
    static var aes256GCMAvailable: Bool {
        sodiumReady && crypto_aead_aes256gcm_is_available() == 1
    }

    static func randomKey() -> [UInt8] {
        _ = sodiumReady
        var key = [UInt8](repeating: 0, count: keyLength)
        key.withUnsafeMutableBytes { bytes in
            if let base = bytes.baseAddress { randombytes_buf(base, keyLength) }
        }
        return key
    }

    /// `header ‖ seal(plaintext) ‖ tag ‖ counter`; nil if the key is not 32 bytes.
    static func seal(header: [UInt8], plaintext: [UInt8], counter: UInt32, mode: VoiceEncryptionMode, key: [UInt8]) -> [UInt8]? {
        guard sodiumReady, key.count == keyLength else { return nil }
        let nonce = nonceBuffer(counter: counter, mode: mode)
        var sealed = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var sealedLength: UInt64 = 0
        let status = sealed.withUnsafeMutableBufferPointer { out -> Int32 in
            guard let out = out.baseAddress else { return -1 }
            return plaintext.withUnsafeBufferPointer { message in
                header.withUnsafeBufferPointer { ad in
                    switch mode {
                    case .aes256GCM:
                        crypto_aead_aes256gcm_encrypt(
                            out, &sealedLength, message.baseAddress, UInt64(message.count), ad.baseAddress,
                            UInt64(ad.count), nil, nonce, key)
                    case .xChaCha20Poly1305:
                        crypto_aead_xchacha20poly1305_ietf_encrypt(
                            out, &sealedLength, message.baseAddress, UInt64(message.count), ad.baseAddress,
                            UInt64(ad.count), nil, nonce, key)
                    }
                }
            }
        }
        guard status == 0 else { return nil }
        return header + sealed.prefix(Int(sealedLength)) + bigEndianBytes(counter)
    }

    /// The plaintext after the associated data (extension body and payload, with any RTP
    /// padding still in place), or nil when the packet does not authenticate.
    static func open(packet: [UInt8], associatedDataLength: Int, mode: VoiceEncryptionMode, key: [UInt8]) -> (plaintext: [UInt8], counter: UInt32)? {
        guard sodiumReady, key.count == keyLength, associatedDataLength >= 12,
              packet.count >= associatedDataLength + tagLength + nonceSuffixLength else { return nil }
        let counterStart = packet.count - nonceSuffixLength
        let counter = packet[counterStart...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let nonce = nonceBuffer(counter: counter, mode: mode)
        let header = Array(packet[0..<associatedDataLength])
        let sealed = Array(packet[associatedDataLength..<counterStart])
        var plaintext = [UInt8](repeating: 0, count: max(1, sealed.count - tagLength))
        var plaintextLength: UInt64 = 0
        let status = plaintext.withUnsafeMutableBufferPointer { out in
            sealed.withUnsafeBufferPointer { ciphertext -> Int32 in
                guard let ciphertextStart = ciphertext.baseAddress else { return -1 }
                return header.withUnsafeBufferPointer { ad in
                    switch mode {
                    case .aes256GCM:
                        crypto_aead_aes256gcm_decrypt(
                            out.baseAddress, &plaintextLength, nil, ciphertextStart, UInt64(ciphertext.count),
                            ad.baseAddress, UInt64(ad.count), nonce, key)
                    case .xChaCha20Poly1305:
                        crypto_aead_xchacha20poly1305_ietf_decrypt(
                            out.baseAddress, &plaintextLength, nil, ciphertextStart, UInt64(ciphertext.count),
                            ad.baseAddress, UInt64(ad.count), nonce, key)
                    }
                }
            }
        }
        guard status == 0 else { return nil }
        return (Array(plaintext.prefix(Int(plaintextLength))), counter)
    }

    private static func nonceBuffer(counter: UInt32, mode: VoiceEncryptionMode) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: mode.nonceLength)
        nonce.replaceSubrange(0..<4, with: bigEndianBytes(counter))
        return nonce
    }

    static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
