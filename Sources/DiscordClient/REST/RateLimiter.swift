

/// Discord's REST rate limits as a pure state machine: requests are queued, `pump(nowMs:)` says which
/// may go now and when to ask again, `complete` feeds each response's headers back. It never sleeps,
/// reads no clock and does no I/O, so every rule is testable on a manual clock.
///
/// Rules, in the order a queued request meets them:
/// 1. the invalid-request guard (refusal of non-essential requests, or a gap between requests);
/// 2. a global 429 pauses everything until its retry time;
/// 3. a route-level pause from a 429 on a route whose bucket is not known;
/// 4. one request in flight per endpoint and major parameter (`oneInFlightPerRoute`), so requests
///    to a channel arrive in the order they were made;
/// 5. the route's bucket: unknown → one request at a time until a response names it (or shows the
///    route has no per-route limit); known → wait for the reset when nothing remains;
/// 6. the global limit (interaction callbacks exempt).
/// Requests to one endpoint and major parameter leave their queue in order.
package struct RateLimiter: Sendable {
    package enum Grant: Sendable, Equatable {
        case go(RateLimitTicket)
        case refuse(String)
    }

    /// What a pump decided: requests to release now, and when to pump again if some still wait
    /// (nil: only a response can unblock them).
    package struct Pump: Sendable {
        package var grants: [(id: UInt64, grant: Grant)] = []
        package var wakeAtMs: Int64?
    }

    private struct Pending: Sendable {
        let id: UInt64
        let sequence: UInt64
        let route: DiscordRoute
    }

    private enum Decision {
        case go(bucketKey: String?, probeKey: String?, epoch: Int)
        case wait(untilMs: Int64?)
        case refuse(String)
    }

    package let policy: RateLimitPolicy
    package var invalidGuard: InvalidRequestGuard
    package var routeHashes: [String: String] = [:]      // route key → bucket hash
    package var unlimitedRoutes: Set<String> = []         // routes that answered without bucket headers
    package var buckets: [String: RateLimitBucket] = [:]  // bucket key → state
    package var probing: Set<String> = []
    package var busyQueues: Set<String> = []             // queue keys with a request in flight
    package var routePausedUntil: [String: Int64] = [:]   // queue key → end of a 429 pause
    package var globalPausedUntilMs: Int64 = 0
    package var global: GlobalWindow
    private var lastGrantMs: Int64?
    private var queues: [String: [Pending]] = [:]
    private var lastPruneMs: Int64?

    package init(policy: RateLimitPolicy = .discord, thresholds: InvalidRequestThresholds = .standard) {
        self.policy = policy
        self.invalidGuard = InvalidRequestGuard(thresholds: thresholds)
        self.global = GlobalWindow(limit: policy.globalLimit, windowMs: policy.globalWindowMs + policy.safetyMarginMs)
    }

    // MARK: queue

    /// Queues a request. A retry passes its original sequence number to keep its place.
    package mutating func enqueue(id: UInt64, route: DiscordRoute, sequence: UInt64) {
        let key = RateLimitTicket.queueKey(route)
        var queue = queues[key, default: []]
        let position = queue.lastIndex { $0.sequence <= sequence }.map { $0 + 1 } ?? 0
        queue.insert(Pending(id: id, sequence: sequence, route: route), at: position)
        queues[key] = queue
    }

    /// Drops a queued request (its caller gave up). False when it is not queued.
    @discardableResult
    package mutating func remove(id: UInt64, route: DiscordRoute) -> Bool {
        let key = RateLimitTicket.queueKey(route)
        guard var queue = queues[key], let index = queue.firstIndex(where: { $0.id == id }) else { return false }
        queue.remove(at: index)
        queues[key] = queue.isEmpty ? nil : queue
        return true
    }

    package var queuedCount: Int { queues.values.reduce(0) { $0 + $1.count } }

    /// Releases every queued request that may go at `nowMs`, oldest first across queues.
    package mutating func pump(nowMs: Int64) -> Pump {
        pruneIfDue(nowMs: nowMs)
        var result = Pump()
        let order = queues.compactMap { key, queue in queue.first.map { (key, $0.sequence) } }.sorted { $0.1 < $1.1 }
        for (key, _) in order {
            while let head = queues[key]?.first {
                let decision = decide(head.route, nowMs: nowMs)
                if case .wait(let until) = decision {
                    if let until { result.wakeAtMs = min(result.wakeAtMs ?? until, until) }
                    break
                }
                queues[key]?.removeFirst()
                switch decision {
                case .go(let bucketKey, let probeKey, let epoch):
                    result.grants.append((head.id, .go(grant(head, bucketKey, probeKey, epoch, nowMs: nowMs))))
                case .refuse(let why):
                    result.grants.append((head.id, .refuse(why)))
                case .wait:
                    break
                }
            }
            if queues[key]?.isEmpty == true { queues[key] = nil }
        }
        return result
    }

    // MARK: deciding

    private mutating func decide(_ route: DiscordRoute, nowMs: Int64) -> Decision {
        let level = invalidGuard.level(nowMs: nowMs)
        if level == .refusing && !route.isEssential {
            let count = invalidGuard.count(nowMs: nowMs)
            return .refuse("\(count) invalid requests (401/403/429) in the last 10 minutes; only interaction responses are sent until that falls below \(invalidGuard.thresholds.refuseFrom)")
        }
        let spacing = invalidGuard.spacingMs(nowMs: nowMs)
        if spacing > 0, let last = lastGrantMs, nowMs < last + spacing { return .wait(untilMs: last + spacing) }
        if globalPausedUntilMs > nowMs { return .wait(untilMs: globalPausedUntilMs) }
        let queueKey = RateLimitTicket.queueKey(route)
        if let paused = routePausedUntil[queueKey], paused > nowMs { return .wait(untilMs: paused) }
        if policy.oneInFlightPerRoute, busyQueues.contains(queueKey) { return .wait(untilMs: nil) }

        var bucketKey: String?, probeKey: String?, epoch = 0
        if let hash = routeHashes[route.key] {
            let key = RateLimitTicket.bucketKey(hash: hash, route)
            if var bucket = buckets[key] {
                bucket.rollOver(nowMs: nowMs)
                buckets[key] = bucket
                guard bucket.remaining > 0 else { return .wait(untilMs: bucket.resetAtMs) }
                bucketKey = key
                epoch = bucket.epoch
            } else {
                probeKey = key
            }
        } else if !unlimitedRoutes.contains(route.key) {
            probeKey = "route:" + RateLimitTicket.queueKey(route)
        }
        if let probeKey, probing.contains(probeKey) { return .wait(untilMs: nil) }

        if !route.isInteractionCallback {
            let earliest = global.earliest(nowMs: nowMs)
            if earliest > nowMs { return .wait(untilMs: earliest) }
        }
        return .go(bucketKey: bucketKey, probeKey: probeKey, epoch: epoch)
    }

    private mutating func grant(_ pending: Pending, _ bucketKey: String?, _ probeKey: String?, _ epoch: Int,
                                nowMs: Int64) -> RateLimitTicket {
        if let bucketKey, var bucket = buckets[bucketKey] {
            bucket.remaining -= 1
            bucket.inFlight += 1
            bucket.lastUsedMs = nowMs
            buckets[bucketKey] = bucket
        }
        if let probeKey { probing.insert(probeKey) }
        if policy.oneInFlightPerRoute { busyQueues.insert(RateLimitTicket.queueKey(pending.route)) }
        if !pending.route.isInteractionCallback { global.record(nowMs: nowMs) }
        lastGrantMs = nowMs
        return RateLimitTicket(id: pending.id, route: pending.route, bucketKey: bucketKey, probeKey: probeKey, epoch: epoch)
    }

    // MARK: housekeeping

    /// Forgets idle buckets and ended pauses, so a bot touching many channels does not grow forever.
    private mutating func pruneIfDue(nowMs: Int64) {
        if let last = lastPruneMs, nowMs - last < 60_000 { return }
        lastPruneMs = nowMs
        let idle = policy.idleBucketMs
        buckets = buckets.filter { _, bucket in
            bucket.inFlight > 0 || nowMs - bucket.lastUsedMs < idle || (bucket.resetAtMs ?? 0) > nowMs
        }
        routePausedUntil = routePausedUntil.filter { $0.value > nowMs }
    }
}

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

/// The global limit as a sliding window: at most `limit` sends in any `windowMs`.
///
/// A sliding window is stricter than any fixed one-second window the server may use, so a burst
/// that respects it never trips the global limit whatever the server's window alignment.
package struct GlobalWindow: Sendable {
    package let limit: Int
    package let windowMs: Int64
    /// The times of the last `limit` sends, oldest at `next` once the ring is full.
    private var ring: [Int64] = []
    private var next = 0

    package init(limit: Int, windowMs: Int64) {
        self.limit = max(1, limit)
        self.windowMs = windowMs
    }

    /// The earliest time another send may go: `nowMs` or later.
    package func earliest(nowMs: Int64) -> Int64 {
        guard ring.count == limit else { return nowMs }
        return max(nowMs, ring[next] + windowMs)
    }

    package mutating func record(nowMs: Int64) {
        if ring.count < limit {
            ring.append(nowMs)
        } else {
            ring[next] = nowMs
            next = (next + 1) % limit
        }
    }
}
