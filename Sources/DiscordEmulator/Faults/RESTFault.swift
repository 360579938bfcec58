/// REST misbehaviour the tests can inject: the next `count` matching requests are answered with
/// the fault instead of being handled. `method` (e.g. "POST") and `pathPrefix` (e.g.
/// "/channels/2001/messages", relative to /api/v10) narrow which requests match.
public enum RESTFault: Sendable, Equatable, CustomStringConvertible {
    /// 429 with Retry-After, X-RateLimit-Global and X-RateLimit-Scope (`user`, `global`, `shared`).
    case tooManyRequests(count: Int, retryAfterMs: Int, global: Bool = false, scope: String = "user", method: String? = nil, pathPrefix: String? = nil)
    /// 500, 502 or 503 with the kind of body Discord's edge sends for each.
    case serverError(count: Int, status: Int = 500, method: String? = nil, pathPrefix: String? = nil)

    var count: Int {
        switch self {
        case .tooManyRequests(let count, _, _, _, _, _), .serverError(let count, _, _, _): count
        }
    }

    func matches(method requestMethod: String, path: String) -> Bool {
        let (method, prefix): (String?, String?) = switch self {
        case .tooManyRequests(_, _, _, _, let m, let p), .serverError(_, _, let m, let p): (m, p)
        }
        if let method, method.uppercased() != requestMethod.uppercased() { return false }
        if let prefix, !path.hasPrefix(prefix), !path.hasPrefix("/api/v10" + prefix) { return false }
        return true
    }

    public var description: String {
        switch self {
        case .tooManyRequests(let count, let retryAfterMs, let global, let scope, let method, let prefix):
            "\(count)× 429 retry-after \(retryAfterMs) ms global=\(global) scope=\(scope) on \(method ?? "*") \(prefix ?? "*")"
        case .serverError(let count, let status, let method, let prefix):
            "\(count)× \(status) on \(method ?? "*") \(prefix ?? "*")"
        }
    }
}
