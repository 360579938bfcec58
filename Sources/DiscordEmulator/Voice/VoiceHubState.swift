import NIOCore

/// One WebSocket connection to the voice gateway.
struct VoiceConnection: WebSocketConnection {
    let id: Int
    let link: WebSocketLink
    /// The voice session this connection identified or resumed into.
    var sessionKey: Int?
    var closing = false
    /// Bumped by every heartbeat; a deadline fires only if no heartbeat came after it was set.
    var heartbeatGeneration = 0
}

/// A simulated user's outgoing RTP stream within one voice session.
struct OutboundVoiceStream {
    var ssrc: UInt32
    var sequence: UInt16
    var timestamp: UInt32
}

/// One join of the bot: created when a token is granted (op 4, a server-side move or a voice
/// server reallocation), current until the bot leaves or moves, kept afterwards for observation.
struct VoiceSession {
    let id: Int
    let guildID: UInt64
    let channelID: UInt64
    let userID: UInt64
    let stateSessionID: String
    let token: String
    let endpoint: String
    var selfMute: Bool
    var selfDeaf: Bool
    /// The token is still valid: the bot has not left, moved or been reallocated since.
    var current = true
    /// A client identified and no session-ending close followed: a resume may continue it.
    var resumable = false
    var connectionID: Int?
    var ssrc: UInt32?
    var mode: VoiceEncryptionMode?
    var secretKey: [UInt8]?
    var clientAddress: SocketAddress?
    var discoveredAddress: SocketAddress?
    /// The last seq assigned to a server message, and the buffered messages for resume.
    var seq = 0
    var log: [LoggedVoiceMessage] = []
    var seqAck: Int?
    var identifyCount = 0
    var resumeCount = 0
    var maxDAVEProtocolVersion: Int?
    /// The DAVE protocol version chosen at Identify (0: transport encryption only).
    var daveProtocolVersion = 0
    /// The call's DAVE state, from Session Description on (protocol version 1).
    var dave: DAVEGatewayCall?
    /// Simulated users in the call, as DAVE members.
    var daveMembers: [UInt64: SimulatedDAVEMember] = [:]
    var daveMedia = DAVEMediaCounters()
    var speakingFlags: [Int] = []
    var closeCodes: [UInt16] = []
    var media = VoiceMediaLog()
    /// The AEAD nonce counter for packets the server sends to this client.
    var outboundNonce: UInt32 = 0
    var userStreams: [UInt64: OutboundVoiceStream] = [:]

    /// Identified once, then closed with a code that ends it: the client needs a new start.
    var wasTerminated: Bool { identifyCount > 0 && !resumable }

    mutating func appendToLog(_ message: LoggedVoiceMessage) {
        log.append(message)
        if log.count > VoiceLimits.replayBufferSize { log.removeFirst(log.count - VoiceLimits.replayBufferSize) }
    }
}

/// A numbered server message, kept for replay on resume: JSON text, or a DAVE binary frame.
struct LoggedVoiceMessage {
    var seq: Int
    var op: Int
    var payload: [UInt8]
    var binary: Bool
}

struct VoiceHubState {
    var connections = WebSocketConnections<VoiceConnection>()
    /// Every voice session so far, by id.
    var sessions: [Int: VoiceSession] = [:]
    var nextSessionID = 1
    /// The bot's current session per guild.
    var currentSessionByGuild: [UInt64: Int] = [:]
    var heartbeatACKsStopped = false
    /// Every datagram, in or out, is lost while set.
    var udpDropped = false
    var nextSSRC: UInt32 = 0x1000
    /// Datagrams that matched no voice session.
    var unmatchedDatagrams = 0
    /// Datagrams lost to a `dropUDP` fault, either way.
    var droppedDatagrams = 0
    var frames: [RecordedVoiceFrame] = []
    var stateRequests: [RecordedVoiceStateRequest] = []

    mutating func allocateSSRC() -> UInt32 {
        nextSSRC &+= 1
        return nextSSRC
    }

    func currentSession(guildID: UInt64) -> VoiceSession? {
        currentSessionByGuild[guildID].flatMap { sessions[$0] }
    }
}
