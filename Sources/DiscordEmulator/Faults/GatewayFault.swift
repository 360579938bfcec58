/// Gateway misbehaviour the tests can inject into live connections.
public enum GatewayFault: Sendable, Equatable, CustomStringConvertible {
    /// Close the TCP connection without a WebSocket close frame (a network drop). Sessions stay
    /// resumable.
    case dropConnections
    /// Stop answering heartbeats with op 11, so a client must detect a zombie connection.
    case stopHeartbeatACKs
    case resumeHeartbeatACKs
    /// Send op 7 Reconnect.
    case reconnect
    /// Send op 1: Discord asking for a heartbeat right now.
    case requestHeartbeat
    /// Send op 9 Invalid Session; `resumable: false` also ends the session.
    case invalidSession(resumable: Bool)
    /// Send a close frame with this code, then close. Codes Discord treats as ending the session
    /// (4004, 4007, 4009 – 4014) end it here too.
    case close(code: UInt16)
    /// Send this many payloads that are not JSON, encoded as the connection encodes everything
    /// (through its zlib stream when compressed): what a client sees when its stream lost sync.
    case garbagePayloads(count: Int)
    /// Send a binary frame that is not a continuation of the connection's zlib stream, so the
    /// client's inflater fails (on an uncompressed connection: a text frame that is not JSON).
    case corruptStream

    public var description: String {
        switch self {
        case .dropConnections: "drop connections"
        case .stopHeartbeatACKs: "stop heartbeat ACKs"
        case .resumeHeartbeatACKs: "resume heartbeat ACKs"
        case .reconnect: "op 7 reconnect"
        case .requestHeartbeat: "op 1 heartbeat request"
        case .invalidSession(let resumable): "op 9 invalid session (resumable: \(resumable))"
        case .close(let code): "close \(code)"
        case .garbagePayloads(let count): "\(count) payload(s) that are not JSON"
        case .corruptStream: "a corrupt compressed frame"
        }
    }
}
