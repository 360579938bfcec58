import BotHostCore
import COpus

/// What the Opus encoder tunes for.
public enum OpusApplication: Sendable {
    /// Speech: favours intelligibility, may use SILK at lower bitrates.
    case voip
    /// Music and mixed content: favours fidelity to the input.
    case audio
    /// Lowest delay; disables speech-optimised modes.
    case restrictedLowDelay

    package var code: Int32 {
        switch self {
        case .voip: OPUS_APPLICATION_VOIP
        case .audio: OPUS_APPLICATION_AUDIO
        case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
        }
    }
}
