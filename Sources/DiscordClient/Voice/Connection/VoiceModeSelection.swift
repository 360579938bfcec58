import BotHostCore

/// Choosing the transport encryption mode for Select Protocol. The mode type itself lives with the
/// cipher (Voice/Media/VoiceEncryptionMode.swift); this is the connection's decision rule.
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
