import BotHostCore

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
