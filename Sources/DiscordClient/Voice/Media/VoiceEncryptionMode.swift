/// Discord's voice transport encryption modes (the `rtpsize` AEAD family). The RTP header, CSRCs
/// and the 4-byte extension preamble stay in the clear as additional authenticated data; the rest
/// of the packet (extension body and Opus frame) is encrypted; the 16-byte tag and a 4-byte
/// big-endian nonce counter follow.
public enum VoiceEncryptionMode: String, Sendable, CaseIterable {
    /// AES-256-GCM, 12-byte nonce. Discord's preferred mode; only offered when the CPU has AES-NI.
    case aeadAES256GCMRTPSize = "aead_aes256_gcm_rtpsize"
    /// XChaCha20-Poly1305 (IETF), 24-byte nonce. Always available; every client must support it.
    case aeadXChaCha20Poly1305RTPSize = "aead_xchacha20_poly1305_rtpsize"

    public static let keyLength = 32
    public static let tagLength = 16
    /// The nonce counter appended to each packet.
    public static let nonceSuffixLength = 4

    /// The full nonce: the counter in its first 4 bytes, the rest zero.
    public var nonceLength: Int {
        switch self {
        case .aeadAES256GCMRTPSize: 12
        case .aeadXChaCha20Poly1305RTPSize: 24
        }
    }

    /// Whether this machine can use the mode (AES-GCM needs hardware AES support in libsodium).
    public var isAvailable: Bool {
        switch self {
        case .aeadAES256GCMRTPSize: SodiumLibrary.hasAES256GCM
        case .aeadXChaCha20Poly1305RTPSize: SodiumLibrary.isReady
        }
    }

    /// The modes this machine supports, most preferred first.
    public static var available: [VoiceEncryptionMode] { allCases.filter(\.isAvailable) }

    /// The mode to select from the server's Ready `modes` list: the first of ours it offers.
    public static func preferred(from offered: some Sequence<String>) -> VoiceEncryptionMode? {
        let offered = Set(offered)
        return available.first { offered.contains($0.rawValue) }
    }
}

/// Choosing the transport encryption mode for Select Protocol: the connection's decision rule.
extension VoiceEncryptionMode {
    /// The mode to ask for in Select Protocol: AES-256-GCM when the server offers it and this CPU
    /// can run it, else XChaCha20-Poly1305. Throws when the server offers neither.
    package static func choose(offered: [String], aes256GCMUsable: Bool) throws(VoiceConnectionError) -> VoiceEncryptionMode {
        let modes = Set(offered.compactMap(VoiceEncryptionMode.init(rawValue:)))
        if aes256GCMUsable, modes.contains(.aeadAES256GCMRTPSize) { return .aeadAES256GCMRTPSize }
        if modes.contains(.aeadXChaCha20Poly1305RTPSize) { return .aeadXChaCha20Poly1305RTPSize }
        // Offered but unusable here: say so, or the operator would wonder why the server's
        // preferred mode was not taken.
        if modes.contains(.aeadAES256GCMRTPSize) {
            throw .noCommonEncryptionMode(offered: offered, note: "the server offers only AES-256-GCM, which this CPU cannot run")
        }
        throw .noCommonEncryptionMode(offered: offered, note: nil)
    }
}
