/// Learning from responses: bucket headers, 429s and the invalid-request count.
extension RateLimiter {
    /// What a response meant to the limiter.
    package struct Completion: Sendable, Equatable {
        /// A 429: the request was not acted on and may be sent again (the limiter already holds
        /// whatever the 429 paused until its retry time).
        package var rateLimited = false
        package var scope: RateLimitInfo.Scope?
        package var isGlobal = false
        package var retryAfterMs: Int64?
        /// Counted towards the invalid-request limit (401, 403, 429 other than `shared`).
        package var countedInvalid = false
        /// The guard's level after this response, when it changed.
        package var guardLevelChanged: InvalidRequestGuard.Level?

        package init(rateLimited: Bool = false, scope: RateLimitInfo.Scope? = nil, isGlobal: Bool = false,
                     retryAfterMs: Int64? = nil, countedInvalid: Bool = false,
                     guardLevelChanged: InvalidRequestGuard.Level? = nil) {
            self.rateLimited = rateLimited
            self.scope = scope
            self.isGlobal = isGlobal
            self.retryAfterMs = retryAfterMs
            self.countedInvalid = countedInvalid
            self.guardLevelChanged = guardLevelChanged
        }
    }

    /// Feeds back a response to a granted request.
    package mutating func complete(_ ticket: RateLimitTicket, status: Int, info: RateLimitInfo, nowMs: Int64) -> Completion {
        release(ticket)
        learn(ticket, status: status, info: info, nowMs: nowMs)
        var completion = Completion()
        if status == 429 { completion = pause(ticket, info: info, nowMs: nowMs) }
        if status == 401 || status == 403 || (status == 429 && info.scope != .shared) {
            let before = invalidGuard.level(nowMs: nowMs)
            invalidGuard.record(nowMs: nowMs)
            let after = invalidGuard.level(nowMs: nowMs)
            completion.countedInvalid = true
            if after != before { completion.guardLevelChanged = after }
        }
        return completion
    }

    /// A granted request got no response (connection failure, timeout, cancellation). What it
    /// reserved stays reserved: Discord may have counted it.
    package mutating func abandon(_ ticket: RateLimitTicket) {
        release(ticket)
    }

    /// Invalid responses in the current window (for status and tests).
    package mutating func invalidCount(nowMs: Int64) -> Int { invalidGuard.count(nowMs: nowMs) }

    // MARK: private

    private mutating func release(_ ticket: RateLimitTicket) {
        if let key = ticket.bucketKey, var bucket = buckets[key] {
            bucket.inFlight = max(0, bucket.inFlight - 1)
            buckets[key] = bucket
        }
        if let probe = ticket.probeKey { probing.remove(probe) }
        busyQueues.remove(ticket.queueKey)
    }

    private mutating func learn(_ ticket: RateLimitTicket, status: Int, info: RateLimitInfo, nowMs: Int64) {
        let route = ticket.route
        guard let hash = info.bucket else {
            // Discord omits bucket headers on routes without a per-route limit.
            // Only a success proves it: Discord (and the emulator) answer 401s and some 404s before
            // the route's limiter, without headers.
            if (200..<300).contains(status), info.limit == nil, routeHashes[route.key] == nil {
                unlimitedRoutes.insert(route.key)
            }
            return
        }
        routeHashes[route.key] = hash
        unlimitedRoutes.remove(route.key)
        guard let limit = info.limit, let remaining = info.remaining, let resetAfter = info.resetAfterMs else { return }
        let key = RateLimitTicket.bucketKey(hash: hash, route)
        let resetAt = nowMs + resetAfter + policy.safetyMarginMs
        guard var bucket = buckets[key] else {
            buckets[key] = RateLimitBucket(limit: max(1, limit), remaining: remaining, resetAtMs: resetAt, lastUsedMs: nowMs)
            return
        }
        bucket.rollOver(nowMs: nowMs)
        bucket.limit = max(1, limit)
        bucket.lastUsedMs = nowMs
        // Only a response from the window the request was granted in describes the current window.
        // A probe (granted before this bucket was known to the route) is taken as current: min()
        // and max() keep that conservative.
        let current = ticket.bucketKey == key ? ticket.epoch == bucket.epoch : ticket.bucketKey == nil
        if current {
            bucket.remaining = min(bucket.remaining, remaining)
            bucket.resetAtMs = max(bucket.resetAtMs ?? resetAt, resetAt)
        }
        buckets[key] = bucket
    }

    /// A 429: pause what it names until its retry time.
    private mutating func pause(_ ticket: RateLimitTicket, info: RateLimitInfo, nowMs: Int64) -> Completion {
        let route = ticket.route
        let retryAfter = info.retryAfterMs ?? policy.defaultRetryAfterMs
        let until = nowMs + retryAfter + policy.safetyMarginMs
        if info.isGlobal {
            globalPausedUntilMs = max(globalPausedUntilMs, until)
        } else {
            if let hash = info.bucket ?? routeHashes[route.key] {
                let key = RateLimitTicket.bucketKey(hash: hash, route)
                var bucket = buckets[key] ?? RateLimitBucket(limit: max(1, info.limit ?? 1), remaining: 0, resetAtMs: until, lastUsedMs: nowMs)
                bucket.remaining = 0
                bucket.resetAtMs = max(bucket.resetAtMs ?? until, until)
                buckets[key] = bucket
            }
            // Also by route, for when no bucket is known (and a bucket can be shared by routes).
            let queueKey = ticket.queueKey
            routePausedUntil[queueKey] = max(routePausedUntil[queueKey] ?? until, until)
        }
        return Completion(rateLimited: true, scope: info.isGlobal ? .global : info.scope, isGlobal: info.isGlobal,
                          retryAfterMs: retryAfter)
    }
}
