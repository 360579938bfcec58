import Foundation

/// The audio a plugin sends or subscribes to (BOTHOST_AUDIO_*).
public enum VoiceAudioFormat: UInt32, Sendable {
    /// 20 ms of 48 kHz stereo as 1 920 interleaved Int16 samples; the host encodes and decodes.
    case pcm = 1
    /// One Opus packet per 20 ms frame, exactly as on the wire (no re-encoding).
    case opus = 2
}

/// The outcome of a successful `Voice.join`.
public struct VoiceJoin: Sendable, Equatable {
    public let guildID: UInt64
    /// The channel the bot is in now.
    public let channelID: UInt64
    /// The transport encryption mode the voice server agreed on (e.g. "aead_aes256_gcm_rtpsize").
    public let mode: String

    public init(guildID: UInt64, channelID: UInt64, mode: String) {
        self.guildID = guildID
        self.channelID = channelID
        self.mode = mode
    }

    /// Reads the host's `{"guild_id": "…", "channel_id": "…", "mode": "…"}`; what is missing or
    /// unreadable falls back to what was asked for (the join itself succeeded).
    init(answer: [UInt8], guild: UInt64, channel: UInt64) {
        struct Answer: Decodable {
            let guild_id: String?
            let channel_id: String?
            let mode: String?
        }
        let decoded = try? JSONDecoder().decode(Answer.self, from: Data(answer))
        guildID = decoded?.guild_id.flatMap { UInt64($0) } ?? guild
        channelID = decoded?.channel_id.flatMap { UInt64($0) } ?? channel
        mode = decoded?.mode ?? ""
    }
}

/// What a voice event reports (BOTHOST_VOICE_*). Kinds a newer host adds arrive as `.other`.
public enum VoiceEventKind: Sendable, Hashable {
    /// The bot is in `channelID` and audio can flow.
    case connected
    /// The voice connection dropped; the host is resuming it.
    case reconnecting
    /// The bot left, was disconnected, or the connection failed for good; `reason` says which.
    case disconnected
    /// Someone moved the bot to `channelID`.
    case moved
    /// `userID` started (`isSpeaking`) or stopped speaking.
    case speaking
    /// `userID` entered the bot's channel.
    case userJoined
    /// `userID` left the bot's channel.
    case userLeft
    /// Every frame this plugin queued with `send` has gone out.
    case sendDrained
    /// The call's end-to-end encryption (DAVE) changed; `reason` says how, for people, with the
    /// voice privacy code when the call is end-to-end encrypted.
    case encryption
    case other(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case UInt32(BOTHOST_VOICE_CONNECTED): self = .connected
        case UInt32(BOTHOST_VOICE_RECONNECTING): self = .reconnecting
        case UInt32(BOTHOST_VOICE_DISCONNECTED): self = .disconnected
        case UInt32(BOTHOST_VOICE_MOVED): self = .moved
        case UInt32(BOTHOST_VOICE_SPEAKING): self = .speaking
        case UInt32(BOTHOST_VOICE_USER_JOINED): self = .userJoined
        case UInt32(BOTHOST_VOICE_USER_LEFT): self = .userLeft
        case UInt32(BOTHOST_VOICE_SEND_DRAINED): self = .sendDrained
        case UInt32(BOTHOST_VOICE_ENCRYPTION): self = .encryption
        default: self = .other(rawValue)
        }
    }
}

/// One voice event, copied out of the host's `bothost_voice_event`.
public struct VoiceEvent: Sendable, Equatable {
    public let kind: VoiceEventKind
    public let guildID: UInt64
    /// The bot's voice channel; nil when it is disconnected.
    public let channelID: UInt64?
    /// The user of `.speaking`, `.userJoined` and `.userLeft`; nil otherwise.
    public let userID: UInt64?
    /// `.speaking`: Discord's speaking flags (1 microphone, 2 soundshare, 4 priority); 0 when stopped.
    public let speakingFlags: UInt32
    /// `.reconnecting`, `.disconnected`: why, for people.
    public let reason: String

    public var isSpeaking: Bool { speakingFlags != 0 }

    public init(kind: VoiceEventKind, guildID: UInt64, channelID: UInt64?, userID: UInt64?,
                speakingFlags: UInt32 = 0, reason: String = "") {
        self.kind = kind
        self.guildID = guildID
        self.channelID = channelID
        self.userID = userID
        self.speakingFlags = speakingFlags
        self.reason = reason
    }

    init(copying pointer: UnsafePointer<bothost_voice_event>) {
        // Rule 3: copy min(struct_size, sizeof) into zeroed memory; fields an older host lacks read 0.
        var raw = bothost_voice_event()
        let count = min(Int(pointer.pointee.struct_size), MemoryLayout<bothost_voice_event>.size)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count)) }
        self.init(kind: VoiceEventKind(rawValue: raw.kind), guildID: raw.guild_id,
                  channelID: raw.channel_id == 0 ? nil : raw.channel_id,
                  userID: raw.user_id == 0 ? nil : raw.user_id,
                  speakingFlags: raw.speaking, reason: String(raw.reason))
    }
}

/// One 20 ms frame a user sent, copied out of the host's `bothost_voice_frame`: `pcm` holds the
/// samples of a PCM subscription, `opus` the packet of an Opus one; the other is empty.
public struct VoiceFrame: Sendable {
    public let format: VoiceAudioFormat
    public let guildID: UInt64
    /// The speaker; nil while their SSRC is not yet tied to a user.
    public let userID: UInt64?
    public let ssrc: UInt32
    /// The 48 kHz sample clock of the speaker's stream (960 per 20 ms frame).
    public let rtpTimestamp: UInt32
    public let sequence: UInt16
    /// PCM: the packet was lost and this frame was concealed by the decoder.
    public let concealed: Bool
    /// PCM: 1 920 interleaved stereo samples.
    public let pcm: [Int16]
    /// Opus: the packet as received (after transport decryption).
    public let opus: [UInt8]

    public init(format: VoiceAudioFormat, guildID: UInt64, userID: UInt64?, ssrc: UInt32, rtpTimestamp: UInt32,
                sequence: UInt16, concealed: Bool = false, pcm: [Int16] = [], opus: [UInt8] = []) {
        self.format = format
        self.guildID = guildID
        self.userID = userID
        self.ssrc = ssrc
        self.rtpTimestamp = rtpTimestamp
        self.sequence = sequence
        self.concealed = concealed
        self.pcm = pcm
        self.opus = opus
    }

    /// `format` is the subscription's: the frame struct does not carry it.
    init(copying pointer: UnsafePointer<bothost_voice_frame>, format: VoiceAudioFormat) {
        var raw = bothost_voice_frame()
        let count = min(Int(pointer.pointee.struct_size), MemoryLayout<bothost_voice_frame>.size)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count)) }
        var samples: [Int16] = []
        if format == .pcm, let pcm = raw.pcm {
            samples = Array(UnsafeBufferPointer(start: pcm, count: Voice.pcmFrameSamples))
        }
        self.init(format: format, guildID: raw.guild_id, userID: raw.user_id == 0 ? nil : raw.user_id,
                  ssrc: raw.ssrc, rtpTimestamp: raw.rtp_timestamp, sequence: raw.sequence,
                  concealed: raw.concealed != 0, pcm: samples, opus: format == .opus ? Array(raw.opus) : [])
    }
}
