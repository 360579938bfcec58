/// Voice misbehaviour the tests can inject into the bot's voice connections.
public enum VoiceFault: Sendable, Equatable, CustomStringConvertible {
    /// Send a close frame with this code, then close: 4015 (server crashed) leaves the session
    /// resumable; 4006, 4009, 4014, 4021, 4022 and every other code end it.
    case close(code: UInt16)
    /// Close the TCP connection without a close frame (a network drop). Sessions stay resumable.
    case dropConnections
    /// Stop answering heartbeats with op 6 (the server still accepts them).
    case stopHeartbeatACKs
    case resumeHeartbeatACKs
    /// Lose every UDP datagram, both ways (IP discovery included), until `resumeUDP`.
    case dropUDP
    case resumeUDP
    /// The voice server is replaced: VOICE_SERVER_UPDATE with `endpoint: null`, then one with a
    /// new token, and the old voice connection is closed with 4014.
    case reallocateServer

    public var description: String {
        switch self {
        case .close(let code): "close \(code)"
        case .dropConnections: "drop connections"
        case .stopHeartbeatACKs: "stop heartbeat ACKs"
        case .resumeHeartbeatACKs: "resume heartbeat ACKs"
        case .dropUDP: "drop UDP"
        case .resumeUDP: "resume UDP"
        case .reallocateServer: "reallocate voice server"
        }
    }
}
