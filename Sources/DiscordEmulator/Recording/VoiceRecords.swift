/// One RTP packet the voice server received from a client, after decryption.
public struct RecordedVoicePacket: Sendable, Equatable {
    public var sequence: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// The 4-byte nonce counter at the end of the packet.
    public var nonce: UInt32
    public var marker: Bool
    public var csrcCount: Int
    public var hadHeaderExtension: Bool
    /// Bytes of Opus payload (after the extension body and any RTP padding; in a DAVE call, the
    /// Opus frame the simulated users opened, or the DAVE frame when none could).
    public var payloadSize: Int
    /// The payload was the Opus silence frame `F8 FF FE`.
    public var isSilenceFrame: Bool
    /// Samples per channel the Opus decoder produced; 0 when it rejected the payload.
    public var decodedSamplesPerChannel: Int
    /// Emulator clock, Unix milliseconds.
    public var arrivalMs: Int64
    /// Monotonic arrival time in nanoseconds, for spacing between packets.
    public var arrivalUptimeNanoseconds: UInt64
}

/// One voice gateway message (or close frame) on one voice WebSocket connection.
public struct RecordedVoiceFrame: Sendable {
    public enum Direction: Sendable, Equatable {
        case received
        case sent
    }

    public var connectionID: Int
    /// The voice session (`EmulatedVoiceSession.id`) the connection belonged to at the time.
    public var voiceSessionID: Int?
    public var direction: Direction
    public var op: Int?
    /// The `seq` a server message carried.
    public var seq: Int?
    public var json: String
    public var closeCode: UInt16?
    public var timeMs: Int64
}

/// An op 4 Voice State Update the main gateway received.
public struct RecordedVoiceStateRequest: Sendable, Equatable {
    public var gatewaySessionID: String
    public var shard: Int
    public var guildID: UInt64?
    /// nil: leave voice.
    public var channelID: UInt64?
    public var selfMute: Bool
    public var selfDeaf: Bool
    /// The `d` as received.
    public var json: String
    public var timeMs: Int64
}

/// One voice session: a join of the bot to a voice channel (from the op 4 or server-side move
/// that granted its token, until it left, moved or the server was reallocated), and what
/// happened on its voice connection(s).
public struct EmulatedVoiceSession: Sendable {
    public var id: Int
    public var guildID: UInt64
    public var channelID: UInt64
    public var userID: UInt64
    /// The voice state's `session_id`, as VOICE_STATE_UPDATE gave it.
    public var sessionID: String
    /// The VOICE_SERVER_UPDATE token.
    public var token: String
    /// The VOICE_SERVER_UPDATE endpoint (`127.0.0.1:PORT`).
    public var endpoint: String
    /// The bot still holds this join (it has not left or moved since).
    public var isCurrent: Bool
    /// A voice WebSocket is attached right now.
    public var isConnected: Bool
    /// Identified and not closed with a code that ends the session (so it can be resumed).
    public var isResumable: Bool
    /// The SSRC Ready assigned (the latest, if the client identified more than once).
    public var ssrc: UInt32?
    /// The encryption mode Select Protocol chose.
    public var mode: VoiceEncryptionMode?
    public var secretKey: [UInt8]?
    public var identifyCount: Int
    public var resumeCount: Int
    /// `max_dave_protocol_version` from the latest Identify.
    public var maxDAVEProtocolVersion: Int?
    /// `speaking` of every op 5 the client sent, in order.
    public var speakingFlags: [Int]
    /// The latest `seq_ack` from a heartbeat or resume.
    public var lastSeqAck: Int?
    /// The latest `seq` the server assigned.
    public var lastServerSeq: Int
    /// Select Protocol's `address`/`port`: where the server sends media.
    public var clientAddress: (ip: String, port: Int)?
    /// Where IP discovery saw the client's UDP socket.
    public var discoveredAddress: (ip: String, port: Int)?
    /// Close codes the server sent on this session's connections, in order.
    public var closeCodes: [UInt16]
    public var receivedPacketCount: Int
    /// Packets whose AEAD tag did not verify (or that came before a key existed).
    public var decryptFailures: Int
    /// Datagrams that looked like RTP for this session but could not be parsed.
    public var malformedPackets: Int
    public var opusDecodeFailures: Int
    /// The SSRC each simulated user speaks with in this session.
    public var userSSRCs: [UInt64: UInt32]
    /// The DAVE call (protocol version 1), from Session Description on; nil on transport-only sessions.
    public var dave: EmulatedDAVECall?
}
