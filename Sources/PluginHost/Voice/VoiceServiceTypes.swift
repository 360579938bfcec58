/// One 20 ms frame a plugin queued for sending.
package enum OutgoingVoiceFrame: Sendable {
    /// 960 × 2 interleaved samples, encoded by the host.
    case pcm([Int16])
    /// One Opus packet, sent as is.
    case opus([UInt8])
}

/// A voice event as plugins receive it (bothost_voice_event).
package struct VoiceEventRecord: Sendable, Equatable {
    package enum Kind: UInt32, Sendable {
        case connected = 1, reconnecting, disconnected, moved, speaking, userJoined, userLeft, sendDrained, encryption

        /// The ABI minor that introduced the kind: a plugin requiring an older minor is not sent it.
        package var abiMinor: UInt32 {
            self == .encryption ? 4 : 0  // the others came with voice itself (minor 3): whoever can subscribe knows them
        }
    }
    package var kind: Kind
    package var guildID: UInt64
    package var channelID: UInt64 = 0
    package var userID: UInt64 = 0
    package var speaking: UInt32 = 0
    package var reason: String = ""
}

/// One 20 ms frame a user sent, as plugins receive it (bothost_voice_frame).
package struct ReceivedVoiceAudio: Sendable {
    package var guildID: UInt64
    package var userID: UInt64
    package var ssrc: UInt32
    package var timestamp: UInt32
    package var sequence: UInt16
    package var concealed: Bool
    package var pcm: [Int16]
    package var opus: [UInt8]
}

/// The audio formats of the ABI.
package enum VoiceAudioKind: UInt32, Sendable {
    case pcm = 1
    case opus = 2
}

/// Why the voice service refused a plugin's request. The C adapter turns each into its status
/// (`HostAPI+Voice.swift`); the service itself knows nothing of the ABI.
package enum VoiceRefusal: Error, Equatable, CustomStringConvertible {
    /// The bot is not in voice in the guild, or the plugin holds no part of it (NOT_FOUND).
    case notInVoice(String)
    /// Another plugin holds what this one asks to change, or is playing audio (CONFLICT).
    case heldByAnother(String)
    /// The send queue is full (QUEUE_FULL).
    case queueFull(String)

    package var description: String {
        switch self {
        case .notInVoice(let detail), .heldByAnother(let detail), .queueFull(let detail): detail
        }
    }
}

