/// Why a poll produced no session list. Whatever the reason, a failed poll ends no session: only a
/// list the feed really returned can say a session is gone.
public enum PollFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer within the source's timeout.
    case timeout(ms: Int64)
    /// The connection failed (refused, reset, DNS …) or the body was too large.
    case transport(String)
    /// An answer other than 2xx.
    case httpStatus(Int)
    /// The body is not JSON.
    case invalidJSON(String)
    /// JSON, but not the shape the format expects (e.g. an object where OpenRA sends an array).
    case wrongShape(String)
    /// A non-empty list in which not one entry could be read: more likely a changed API than a
    /// feed whose games all ended, so it is treated as a failure.
    case noReadableEntries(count: Int, example: String)

    /// A short machine-readable name, used in bus events.
    public var kind: String {
        switch self {
        case .timeout: "timeout"
        case .transport: "transport"
        case .httpStatus: "http_status"
        case .invalidJSON: "invalid_json"
        case .wrongShape: "wrong_shape"
        case .noReadableEntries: "no_readable_entries"
        }
    }

    public var description: String {
        switch self {
        case .timeout(let ms): "no answer within \(ms) ms"
        case .transport(let detail): "the request failed: \(detail)"
        case .httpStatus(let status): "the feed answered HTTP \(status)"
        case .invalidJSON(let detail): "the feed is not valid JSON (\(detail))"
        case .wrongShape(let detail): "the feed has an unexpected shape: \(detail)"
        case .noReadableEntries(let count, let example): "none of the \(count) entries could be read (e.g. \(example))"
        }
    }
}
