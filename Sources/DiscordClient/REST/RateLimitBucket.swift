/// One learned rate-limit bucket (a bucket hash plus a major parameter value).
///
/// `remaining` is reserved when a request is granted, before its response, so concurrent requests
/// never overshoot; responses can only lower it (`min`) within the window it was granted in.
package struct RateLimitBucket: Sendable, Equatable {
    package var limit: Int
    package var remaining: Int
    /// When the current window ends, on the limiter's clock; nil right after a rollover, until a
    /// response of the new window says.
    package var resetAtMs: Int64?
    /// Counts windows, so a late response from an earlier window cannot shorten the current one.
    package var epoch = 0
    package var inFlight = 0
    package var lastUsedMs: Int64

    /// Starts a new window once the old one has ended. Requests still in flight may land in the new
    /// window on the server's side, so they are counted against it.
    package mutating func rollOver(nowMs: Int64) {
        if let reset = resetAtMs, nowMs >= reset {
            epoch += 1
            resetAtMs = nil
            remaining = max(0, limit - inFlight)
        }
        // Nothing in flight will report the new window: let one request through to learn it.
        if resetAtMs == nil, remaining <= 0, inFlight == 0 { remaining = 1 }
    }
}

/// A granted request's pass, returned to the limiter with the response or the failure.
package struct RateLimitTicket: Sendable, Hashable {
    package let id: UInt64
    package let route: DiscordRoute
    /// The learned bucket the request was counted against.
    package let bucketKey: String?
    /// Set when this request is the one learning an unknown bucket (others on it wait for it).
    package let probeKey: String?
    package let epoch: Int

    package var routeKey: String { route.key }
    package var queueKey: String { Self.queueKey(route) }

    /// Requests to the same endpoint and major parameter keep their order.
    package static func queueKey(_ route: DiscordRoute) -> String { route.key + "|" + (route.majorParameter ?? "") }
    package static func bucketKey(hash: String, _ route: DiscordRoute) -> String { hash + "|" + (route.majorParameter ?? "") }
}
