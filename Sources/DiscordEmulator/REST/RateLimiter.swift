/// Fixed-window buckets keyed by bucket hash plus major parameter, the global per-token window,
/// and the count of invalid requests (401/403/non-shared 429) over the last ten minutes.
final class RateLimiter: Sendable {
    private struct Window {
        var resetAtMs: Int64
        var used: Int
    }

    private struct State {
        var buckets: [String: Window] = [:]
        var global = Window(resetAtMs: 0, used: 0)
        var invalidTimesMs: [Int64] = []
    }

    enum Decision {
        case allowed(headers: [(name: String, value: String)])
        case limited(RESTResponse)
    }

    private let state = Locked(State())

    func takeGlobal(nowMs: Int64) -> RESTResponse? {
        state.withLock { state in
            if nowMs >= state.global.resetAtMs { state.global = Window(resetAtMs: nowMs + 1000, used: 0) }
            guard state.global.used < RateLimitTable.globalLimitPerSecond else {
                let retryAfterMs = state.global.resetAtMs - nowMs
                return Self.tooManyRequests(retryAfterMs: retryAfterMs, global: true, scope: "global", extra: [])
            }
            state.global.used += 1
            return nil
        }
    }

    func take(_ policy: RoutePolicy, major: String, nowMs: Int64) -> Decision {
        state.withLock { state in
            let key = policy.bucket + "|" + major
            var window = state.buckets[key] ?? Window(resetAtMs: 0, used: 0)
            if nowMs >= window.resetAtMs { window = Window(resetAtMs: nowMs + policy.windowMs, used: 0) }
            let resetAfterMs = window.resetAtMs - nowMs
            if window.used >= policy.limit {
                state.buckets[key] = window
                let headers = Self.headers(policy, remaining: 0, resetAtMs: window.resetAtMs, resetAfterMs: resetAfterMs)
                return .limited(Self.tooManyRequests(retryAfterMs: resetAfterMs, global: false, scope: "user", extra: headers))
            }
            window.used += 1
            state.buckets[key] = window
            return .allowed(headers: Self.headers(policy, remaining: policy.limit - window.used, resetAtMs: window.resetAtMs, resetAfterMs: resetAfterMs))
        }
    }

    func noteAnswer(status: Int, scope: String?, nowMs: Int64) {
        guard status == 401 || status == 403 || (status == 429 && scope != "shared") else { return }
        state.withLock { $0.invalidTimesMs.append(nowMs) }
    }

    func invalidRequestCount(nowMs: Int64) -> Int {
        state.withLock { state in
            state.invalidTimesMs.removeAll { nowMs - $0 >= RateLimitTable.invalidRequestWindowMs }
            return state.invalidTimesMs.count
        }
    }

    static func seconds(_ ms: Int64) -> String {
        let value = Double(max(0, ms)) / 1000
        let rounded = (value * 1000).rounded() / 1000
        return String(rounded)
    }

    private static func headers(_ policy: RoutePolicy, remaining: Int, resetAtMs: Int64, resetAfterMs: Int64) -> [(name: String, value: String)] {
        [
            ("X-RateLimit-Bucket", policy.bucket),
            ("X-RateLimit-Limit", String(policy.limit)),
            ("X-RateLimit-Remaining", String(remaining)),
            ("X-RateLimit-Reset", seconds(resetAtMs)),
            ("X-RateLimit-Reset-After", seconds(resetAfterMs)),
        ]
    }

    /// A 429 as Discord sends it: Retry-After in whole seconds (rounded up) in the header, the
    /// exact float in the body.
    static func tooManyRequests(retryAfterMs: Int64, global: Bool, scope: String, extra: [(name: String, value: String)]) -> RESTResponse {
        let body: WireJSON = [
            "message": "You are being rate limited.",
            "retry_after": .double(Double(max(0, retryAfterMs)) / 1000),
            "global": .bool(global),
            // Discord's spec makes every error carry a code; rate limits use 0.
            "code": 0,
        ]
        var headers = extra
        headers.append(("Retry-After", String((max(0, retryAfterMs) + 999) / 1000)))
        headers.append(("X-RateLimit-Scope", scope))
        if global { headers.append(("X-RateLimit-Global", "true")) }
        return RESTResponse.json(body, status: 429).adding(headers)
    }
}
