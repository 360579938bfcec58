/// What went wrong in the gateway, phrased for an operator. None of these ever carries the token.
public enum GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Discord closed the connection with a code that must not be retried (4004, 4010–4014).
    case fatalClose(code: Int, message: String)
    /// The gateway URL cannot be used (bad syntax, unsupported scheme, or TLS not built in).
    case unsupportedURL(String)
    /// The configuration or `/gateway/bot` answer is inconsistent.
    case invalidConfiguration(String)
    /// `send` was given something Discord would refuse.
    case invalidPayload(String)
    case unknownShard(Int)
    /// The shard stopped (or was never started) before the payload could be sent.
    case shardStopped(Int)
    case alreadyStarted
    /// Discord answered a request the gateway needs (`GET /gateway/bot`) with a refusal that
    /// retrying cannot fix (401, 403, 404).
    case refused(String)

    public var description: String {
        switch self {
        case .fatalClose(let code, let message): "gateway closed the connection with \(code): \(message)"
        case .unsupportedURL(let message): message
        case .invalidConfiguration(let message): "invalid gateway configuration: \(message)"
        case .invalidPayload(let message): "cannot send: \(message)"
        case .unknownShard(let id): "there is no shard \(id)"
        case .shardStopped(let id): "shard \(id) is stopped"
        case .alreadyStarted: "the gateway client was already started"
        case .refused(let message): message
        }
    }
}
