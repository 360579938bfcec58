/// What Discord answered: any HTTP status. A 4xx is a response too; its body is Discord's error JSON.
public struct DiscordResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// Why no response could be returned. Texts never contain the bot token or a route's secrets.
public enum DiscordRESTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The method or path is not one the host will send (see `DiscordRoute`).
    case invalidRoute(String)
    /// The body is not a JSON object, or the audit-log reason cannot be sent.
    case invalidRequest(String)
    /// The client was set up wrongly (base URL, token).
    case invalidConfiguration(String)
    /// The invalid-request guard refused a non-essential request to protect the bot from a ban.
    case refusedByGuard(String)
    /// No response within the request timeout, after the retries that were safe.
    case timeout
    /// The connection failed, after the retries that were safe.
    case transport(String)
    /// The caller's task was cancelled.
    case cancelled
    /// The client was shut down.
    case shutdown

    public var description: String {
        switch self {
        case .invalidRoute(let why): "invalid Discord route: \(why)"
        case .invalidRequest(let why): "invalid Discord request: \(why)"
        case .invalidConfiguration(let why): "Discord REST is misconfigured: \(why)"
        case .refusedByGuard(let why): "refused by the invalid-request guard: \(why)"
        case .timeout: "Discord did not answer in time"
        case .transport(let why): "could not reach Discord: \(why)"
        case .cancelled: "the Discord request was cancelled"
        case .shutdown: "the Discord REST client has shut down"
        }
    }
}
