/// Where a voice session stands. `disconnected` is final: a later join makes a new session.
public enum VoiceSessionState: Sendable, Equatable, CustomStringConvertible {
    /// Establishing a voice session: identify, UDP IP discovery, Select Protocol. Also while
    /// waiting for Discord to hand out a (new) voice server.
    case connecting
    /// Ready for audio: the UDP socket is connected and the session description has arrived.
    case connected(mode: VoiceEncryptionMode, ssrc: UInt32)
    /// The voice WebSocket dropped; resuming the same session (same SSRC, key and UDP socket).
    case resuming
    case disconnected(VoiceDisconnectReason)

    public var isConnected: Bool { if case .connected = self { true } else { false } }
    public var isDisconnected: Bool { if case .disconnected = self { true } else { false } }

    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .connected(let mode, let ssrc): "connected (\(mode.rawValue), ssrc \(ssrc))"
        case .resuming: "resuming"
        case .disconnected(let reason): "disconnected: \(reason)"
        }
    }
}

/// Why a voice session ended.
public enum VoiceDisconnectReason: Sendable, Equatable, CustomStringConvertible {
    /// The host left the channel (`leave`).
    case left
    /// Discord removed the bot from the channel: kicked, the channel deleted, or close 4014.
    case disconnected(String)
    /// Close 4021: the voice server rate-limited this client.
    case rateLimited
    /// Close 4022: the call was terminated.
    case callTerminated
    /// The host stopped.
    case shutdown
    /// An error retrying cannot fix.
    case failed(VoiceConnectionError)

    public var description: String {
        switch self {
        case .left: "left the channel"
        case .disconnected(let detail): "disconnected by Discord (\(detail))"
        case .rateLimited: "rate limited by the voice server (close 4021); not reconnecting"
        case .callTerminated: "the call was terminated (close 4022)"
        case .shutdown: "the host stopped"
        case .failed(let error): error.description
        }
    }
}
