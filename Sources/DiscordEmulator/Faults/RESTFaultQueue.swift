/// Injected REST faults waiting to answer matching requests, oldest first.
final class RESTFaultQueue: Sendable {
    private let pending = Locked<[(fault: RESTFault, remaining: Int)]>([])

    func add(_ fault: RESTFault) {
        guard fault.count > 0 else { return }
        pending.withLock { $0.append((fault, fault.count)) }
    }

    /// The fault this request meets, if any; each answer uses up one of its count.
    func take(method: String, path: String) -> RESTFault? {
        pending.withLock { pending in
            guard let index = pending.firstIndex(where: { $0.fault.matches(method: method, path: path) }) else { return nil }
            let fault = pending[index].fault
            pending[index].remaining -= 1
            if pending[index].remaining <= 0 { pending.remove(at: index) }
            return fault
        }
    }

    /// The answer Discord's edge would give for this fault.
    static func response(for fault: RESTFault) -> RESTResponse {
        switch fault {
        case .tooManyRequests(_, let retryAfterMs, let global, let scope, _, _):
            return RateLimiter.tooManyRequests(retryAfterMs: Int64(retryAfterMs), global: global, scope: scope, extra: [])
        case .serverError(_, let status, _, _):
            switch status {
            case 502:
                let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
                return RESTResponse(status: 502, headers: [("Content-Type", "text/html")], body: Array(html.utf8))
            case 503:
                let text = "upstream connect error or disconnect/reset before headers. reset reason: overflow"
                return RESTResponse(status: 503, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
            default:
                return RESTResponse.error(status: status, code: 0, message: "\(status): Internal Server Error")
            }
        }
    }
}
