import CSodium

/// Seals outgoing and opens incoming voice packets in one `rtpsize` AEAD mode with the session's
/// 32-byte secret key (from Session Description, voice op 4).
///
/// Packet layout: clear RTP header (12 bytes + CSRCs + the 4-byte extension preamble when X is
/// set; this is the additional authenticated data) ‖ ciphertext of everything after it ‖ 16-byte
/// tag ‖ 4-byte big-endian nonce counter. The nonce is that counter in the first 4 bytes of an
/// otherwise zero 12-byte (AES-GCM) or 24-byte (XChaCha20) buffer.
///
/// Ownership: the sending counter is mutable state, so one instance serves one direction of one
/// connection and one owner (not `Sendable`). Key material is wiped when the instance goes away.
public final class VoiceTransportCipher {
    public let mode: VoiceEncryptionMode
    /// The counter the next sealed packet carries; it wraps after 2³² packets (≈ 2.7 years at 50
    /// packets a second), long after any voice session has been re-keyed.
    public private(set) var nextNonce: UInt32
    private let key: UnsafeMutablePointer<UInt8>
    private let nonce: UnsafeMutablePointer<UInt8>
    /// AES-GCM's expanded key schedule, computed once instead of per packet.
    private let aesState: UnsafeMutablePointer<crypto_aead_aes256gcm_state>?

    /// Clear header, tag and counter: the least a packet can be.
    public static func minimumPacketLength(headerLength: Int) -> Int {
        headerLength + VoiceEncryptionMode.tagLength + VoiceEncryptionMode.nonceSuffixLength
    }

    public init(mode: VoiceEncryptionMode, secretKey: [UInt8], initialNonce: UInt32 = 0) throws(VoiceCryptoError) {
        guard SodiumLibrary.isReady else { throw .sodiumUnavailable }
        guard mode.isAvailable else { throw .modeUnavailable(mode) }
        guard secretKey.count == VoiceEncryptionMode.keyLength else { throw .invalidKeyLength(secretKey.count) }
        self.mode = mode
        self.nextNonce = initialNonce
        key = .allocate(capacity: VoiceEncryptionMode.keyLength)
        key.initialize(from: secretKey, count: VoiceEncryptionMode.keyLength)
        nonce = .allocate(capacity: 24)
        nonce.initialize(repeating: 0, count: 24)
        if mode == .aeadAES256GCMRTPSize {
            let state = UnsafeMutablePointer<crypto_aead_aes256gcm_state>.allocate(capacity: 1)
            crypto_aead_aes256gcm_beforenm(state, key)
            aesState = state
        } else {
            aesState = nil
        }
    }

    deinit {
        sodium_memzero(key, VoiceEncryptionMode.keyLength)
        key.deallocate()
        nonce.deallocate()
        if let aesState {
            sodium_memzero(aesState, MemoryLayout<crypto_aead_aes256gcm_state>.size)
            aesState.deallocate()
        }
    }

    /// Replaces `packet`'s contents with the sealed packet for `header` (sent in the clear and
    /// authenticated) and `payload` (encrypted), and advances the nonce counter. The buffer's
    /// capacity is reused, so a caller that keeps one buffer allocates nothing per packet.
    public func seal(header: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, into packet: inout [UInt8]) {
        let counter = nextNonce
        nextNonce &+= 1
        setNonce(counter)
        let sealedLength = payload.count + VoiceEncryptionMode.tagLength
        packet.removeAll(keepingCapacity: true)
        packet.append(contentsOf: header)
        packet.append(contentsOf: repeatElement(0, count: sealedLength + VoiceEncryptionMode.nonceSuffixLength))
        packet.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let aad = UnsafePointer(base)
            let output = base + header.count
            let input = payload.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var written: UInt64 = 0
            // libsodium's encrypt functions only fail for messages beyond 2⁶⁴ bytes.
            switch mode {
            case .aeadAES256GCMRTPSize:
                guard let aesState else { return }
                _ = crypto_aead_aes256gcm_encrypt_afternm(output, &written, input, UInt64(payload.count),
                                                          aad, UInt64(header.count), nil, nonce, aesState)
            case .aeadXChaCha20Poly1305RTPSize:
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(output, &written, input, UInt64(payload.count),
                                                               aad, UInt64(header.count), nil, nonce, key)
            }
            let suffix = output + sealedLength
            suffix[0] = UInt8(truncatingIfNeeded: counter >> 24)
            suffix[1] = UInt8(truncatingIfNeeded: counter >> 16)
            suffix[2] = UInt8(truncatingIfNeeded: counter >> 8)
            suffix[3] = UInt8(truncatingIfNeeded: counter)
        }
    }

    /// Seals into a new array.
    public func seal(header: [UInt8], payload: [UInt8]) -> [UInt8] {
        var packet: [UInt8] = []
        header.withUnsafeBytes { header in
            payload.withUnsafeBytes { payload in seal(header: header, payload: payload, into: &packet) }
        }
        return packet
    }

    /// Verifies and decrypts `packet`, whose first `headerLength` bytes are the clear header,
    /// replacing `plaintext`'s contents with the decrypted remainder (extension body, if any, then
    /// the Opus frame). Short, truncated or forged packets throw; nothing is ever read out of range.
    public func open(_ packet: UnsafeRawBufferPointer, headerLength: Int, into plaintext: inout [UInt8]) throws(VoiceCryptoError) {
        guard headerLength >= 0 else { throw .invalidHeaderLength(headerLength) }
        let minimum = Self.minimumPacketLength(headerLength: headerLength)
        guard packet.count >= minimum, let base = packet.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw .packetTooShort(length: packet.count, minimum: minimum)
        }
        let suffix = base + packet.count - VoiceEncryptionMode.nonceSuffixLength
        setNonce(UInt32(suffix[0]) << 24 | UInt32(suffix[1]) << 16 | UInt32(suffix[2]) << 8 | UInt32(suffix[3]))
        let sealedLength = packet.count - headerLength - VoiceEncryptionMode.nonceSuffixLength
        let plainLength = sealedLength - VoiceEncryptionMode.tagLength
        plaintext.removeAll(keepingCapacity: true)
        // At least one byte so the buffer has storage to point at, even for an empty payload.
        plaintext.append(contentsOf: repeatElement(0, count: max(plainLength, 1)))
        let result = plaintext.withUnsafeMutableBytes { output -> Int32 in
            guard let target = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
            switch mode {
            case .aeadAES256GCMRTPSize:
                guard let aesState else { return -1 }
                return crypto_aead_aes256gcm_decrypt_afternm(target, nil, nil, base + headerLength, UInt64(sealedLength),
                                                             base, UInt64(headerLength), nonce, aesState)
            case .aeadXChaCha20Poly1305RTPSize:
                return crypto_aead_xchacha20poly1305_ietf_decrypt(target, nil, nil, base + headerLength, UInt64(sealedLength),
                                                                  base, UInt64(headerLength), nonce, key)
            }
        }
        guard result == 0 else {
            plaintext.removeAll(keepingCapacity: true)
            throw .authenticationFailed
        }
        if plainLength == 0 { plaintext.removeAll(keepingCapacity: true) }
    }

    /// Opens into a new array.
    public func open(_ packet: [UInt8], headerLength: Int) throws(VoiceCryptoError) -> [UInt8] {
        var plaintext: [UInt8] = []
        try packet.withUnsafeBytes { bytes in
            Result { () throws(VoiceCryptoError) in try open(bytes, headerLength: headerLength, into: &plaintext) }
        }.get()
        return plaintext
    }

    private func setNonce(_ counter: UInt32) {
        nonce[0] = UInt8(truncatingIfNeeded: counter >> 24)
        nonce[1] = UInt8(truncatingIfNeeded: counter >> 16)
        nonce[2] = UInt8(truncatingIfNeeded: counter >> 8)
        nonce[3] = UInt8(truncatingIfNeeded: counter)
    }
}

/// libsodium must be initialised once per process before use; `sodium_init` is idempotent but
/// not free, so the result is kept in a lazily initialised (and therefore once-only) constant.
package enum SodiumLibrary {
    package static let isReady: Bool = sodium_init() >= 0

    /// Whether this CPU can run libsodium's AES-256-GCM (it needs AES-NI and PCLMUL).
    package static let hasAES256GCM: Bool = isReady && crypto_aead_aes256gcm_is_available() == 1
}

/// Why a voice packet could not be encrypted or decrypted.
public enum VoiceCryptoError: Error, Equatable, CustomStringConvertible {
    case sodiumUnavailable
    /// The mode cannot run here (AES-256-GCM without AES-NI).
    case modeUnavailable(VoiceEncryptionMode)
    case invalidKeyLength(Int)
    /// The header length given for the clear part is larger than the packet or negative.
    case invalidHeaderLength(Int)
    /// Too short to hold the clear header, the tag and the nonce counter.
    case packetTooShort(length: Int, minimum: Int)
    /// The tag did not verify: a forged or corrupted packet, or the wrong key.
    case authenticationFailed

    public var description: String {
        switch self {
        case .sodiumUnavailable: "libsodium failed to initialise"
        case .modeUnavailable(let mode): "\(mode.rawValue) is not available on this CPU"
        case .invalidKeyLength(let length): "voice secret key must be 32 bytes, got \(length)"
        case .invalidHeaderLength(let length): "invalid clear header length \(length)"
        case .packetTooShort(let length, let minimum): "voice packet of \(length) bytes is shorter than the minimum \(minimum)"
        case .authenticationFailed: "voice packet failed authentication"
        }
    }
}
