/// What a simulated user says: raw audio or a tone.
public enum VoiceSpeechAudio: Sendable {
    /// 48 kHz interleaved stereo; the last frame is padded with silence to 20 ms.
    case pcm([Int16])
    /// A sine tone (see `VoiceTone.sine`).
    case tone(frequency: Double, durationMs: Int, amplitude: Double = 0.5)

    var samples: [Int16] {
        switch self {
        case .pcm(let pcm): pcm
        case .tone(let frequency, let durationMs, let amplitude): VoiceTone.sine(frequency: frequency, durationMs: durationMs, amplitude: amplitude)
        }
    }
}

/// How a simulated user's packets travel: pacing, extra RTP header fields, and network
/// impairments for jitter-buffer tests. Packet indices count every packet of the utterance in
/// order, the trailing silence frames included.
public struct VoiceSpeechOptions: Sendable {
    public enum Pacing: Sendable, Equatable {
        /// One packet every 20 ms, as a Discord client sends.
        case realTime
        /// Back to back.
        case asFastAsPossible
    }

    public var pacing = Pacing.realTime
    /// The op 5 `speaking` flags (1 microphone, 2 soundshare, 4 priority).
    public var speakingFlags = 1
    /// CSRCs to put in every RTP header (at most 15).
    public var csrcs: [UInt32] = []
    /// Add a one-byte-element header extension (profile 0xBEDE, one word, an audio-level
    /// element) like Discord's clients do; its body is encrypted with the payload.
    public var headerExtension = false
    /// Packets not sent at all.
    public var dropPackets: Set<Int> = []
    /// Packets sent twice in a row.
    public var duplicatePackets: Set<Int> = []
    /// Packets sent after the one that follows them (each listed index swaps with index + 1).
    public var swapWithNextPackets: Set<Int> = []
    /// Silence frames (`F8 FF FE`) after the audio; Discord clients send five.
    public var trailingSilenceFrames = 5
    /// In a DAVE call, how long to wait for the user's end-to-end key before giving up with
    /// `endToEndNotReady` (the group forms when the user joins, in a few messages).
    public var endToEndWait: Duration = .seconds(10)

    public init() {}
}

/// What a simulated user's utterance put on the wire.
public struct VoiceSpeechReport: Sendable {
    /// The voice session (`EmulatedVoiceSession.id`) it went to.
    public var voiceSessionID: Int
    public var ssrc: UInt32
    public var firstSequence: UInt16
    public var firstTimestamp: UInt32
    public var audioFrames: Int
    public var silenceFrames: Int
    /// Datagrams written (after drops, duplicates and a `dropUDP` fault).
    public var datagramsSent: Int
}

public enum VoiceSpeechError: Error, Sendable, Equatable {
    /// The bot holds no voice session in this guild.
    case botNotInVoice(guildID: UInt64)
    /// The user is not in the bot's voice channel (join it first with `userJoinsVoice`).
    case userNotInBotChannel(userID: UInt64, channelID: UInt64)
    /// The bot's voice connection has not selected a protocol yet (no key or UDP address).
    case sessionNotReady(String)
    /// The call is end-to-end encrypted (DAVE) and the user's group is not ready yet: a client
    /// sends no media then. `userSpeaks` waits for it first, up to its `endToEndWait`.
    case endToEndNotReady(userID: UInt64)
    /// libopus could not encode the audio.
    case encodingFailed
}
