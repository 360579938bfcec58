import BotHostCore

/// Why a received datagram produced no audio. Each case is also counted in
/// `VoiceReceiveCounters`; the pipeline stays usable after any of them.
public enum VoiceReceiveError: Error, Equatable, CustomStringConvertible {
    case malformed(RTPParseError)
    case undecryptable(VoiceCryptoError)
    case frameTransformFailed(ssrc: UInt32, reason: String)

    public var description: String {
        switch self {
        case .malformed(let error): "malformed voice packet: \(error)"
        case .undecryptable(let error): "undecryptable voice packet: \(error)"
        case .frameTransformFailed(let ssrc, let reason): "end-to-end decryption failed for SSRC \(ssrc): \(reason)"
        }
    }
}
