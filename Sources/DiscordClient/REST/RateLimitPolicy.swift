/// The limiter's fixed knobs. Per-route limits are never configured here: they are learned from
/// Discord's headers, because Discord changes them and they differ by method and resource.
public struct RateLimitPolicy: Sendable, Equatable {
    /// Requests per `globalWindowMs` across all routes except interaction callbacks (Discord: 50/s).
    public var globalLimit: Int
    public var globalWindowMs: Int64
    /// Added to every learned reset and to the global window: the server's clock and our receipt
    /// time differ by latency and rounding, and arriving a little late costs less than a 429.
    public var safetyMarginMs: Int64
    /// How long to pause after a 429 that says nothing about when to retry.
    public var defaultRetryAfterMs: Int64
    /// Buckets idle this long are forgotten (they are relearned with one serialized request).
    public var idleBucketMs: Int64
    /// One request in flight per endpoint and major parameter, so that requests to a channel arrive
    /// in the order they were made (what discord.js does too). Different channels, guilds and
    /// endpoints still run in parallel; a bucket's limit, not this, bounds the throughput.
    public var oneInFlightPerRoute: Bool

    public init(globalLimit: Int = 50, globalWindowMs: Int64 = 1000, safetyMarginMs: Int64 = 50,
                defaultRetryAfterMs: Int64 = 1000, idleBucketMs: Int64 = 10 * 60_000, oneInFlightPerRoute: Bool = true) {
        self.globalLimit = max(1, globalLimit)
        self.globalWindowMs = max(1, globalWindowMs)
        self.safetyMarginMs = max(0, safetyMarginMs)
        self.defaultRetryAfterMs = max(1, defaultRetryAfterMs)
        self.idleBucketMs = max(1000, idleBucketMs)
        self.oneInFlightPerRoute = oneInFlightPerRoute
    }

    public static let discord = RateLimitPolicy()
}

/// When a failed request is sent again.
///
/// 429s are always retried (Discord did not act on the request). 5xx answers, timeouts and
/// connection failures are retried only when repeating the request cannot do something twice:
/// GET, PUT, PATCH and DELETE, and message creates that carry a nonce with `enforce_nonce`.
public struct RetryPolicy: Sendable, Equatable {
    /// Further attempts after a 429 before the 429 is returned to the caller.
    public var maxRateLimitRetries: Int
    /// Further attempts after a 5xx, timeout or connection failure.
    public var maxFailureRetries: Int
    /// Backoff before failure retry n (1-based): base · 2^(n-1), at most `maxBackoffMs`.
    public var backoffBaseMs: Int64
    public var maxBackoffMs: Int64

    public init(maxRateLimitRetries: Int = 5, maxFailureRetries: Int = 3, backoffBaseMs: Int64 = 500,
                maxBackoffMs: Int64 = 8000) {
        self.maxRateLimitRetries = max(0, maxRateLimitRetries)
        self.maxFailureRetries = max(0, maxFailureRetries)
        self.backoffBaseMs = max(0, backoffBaseMs)
        self.maxBackoffMs = max(self.backoffBaseMs, maxBackoffMs)
    }

    public static let standard = RetryPolicy()

    package func backoffMs(retry: Int) -> Int64 {
        let shift = min(max(retry - 1, 0), 20)
        return min(backoffBaseMs << Int64(shift), maxBackoffMs)
    }

    package static let idempotentMethods: Set<String> = ["GET", "PUT", "PATCH", "DELETE"]
}
