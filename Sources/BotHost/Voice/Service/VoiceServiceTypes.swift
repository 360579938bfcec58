/// One 20 ms frame a plugin queued for sending.
enum OutgoingVoiceFrame: Sendable {
    /// 960 × 2 interleaved samples, encoded by the host.
    case pcm([Int16])
    /// One Opus packet, sent as is.
    case opus([UInt8])
}

/// A voice event as plugins receive it (bothost_voice_event).
struct VoiceEventRecord: Sendable, Equatable {
    enum Kind: UInt32, Sendable {
        case connected = 1, reconnecting, disconnected, moved, speaking, userJoined, userLeft, sendDrained, encryption

        /// The ABI minor that introduced the kind: a plugin requiring an older minor is not sent it.
        var abiMinor: UInt32 {
            self == .encryption ? 4 : 0  // the others came with voice itself (minor 3): whoever can subscribe knows them
        }
    }
    var kind: Kind
    var guildID: UInt64
    var channelID: UInt64 = 0
    var userID: UInt64 = 0
    var speaking: UInt32 = 0
    var reason: String = ""
}

/// One 20 ms frame a user sent, as plugins receive it (bothost_voice_frame).
struct ReceivedVoiceAudio: Sendable {
    var guildID: UInt64
    var userID: UInt64
    var ssrc: UInt32
    var timestamp: UInt32
    var sequence: UInt16
    var concealed: Bool
    var pcm: [Int16]
    var opus: [UInt8]
}

/// The audio formats of the ABI.
enum VoiceAudioKind: UInt32, Sendable {
    case pcm = 1
    case opus = 2
}
