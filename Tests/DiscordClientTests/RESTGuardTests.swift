@testable import DiscordClient
import BotHostCore
import Testing

/// The invalid-request guard and the reading of rate-limit headers.
@Suite struct RESTGuardTests {
    typealias Harness = RESTLimiterTests.Harness
    static let small = InvalidRequestThresholds(warnAt: 3, throttleFrom: 5, refuseFrom: 9, windowMs: 600_000,
                                                minSpacingMs: 100, maxSpacingMs: 1000)

    @Test func theStandardThresholdsStayFarBelowDiscordsBan() {
        let standard = InvalidRequestThresholds.standard
        #expect(standard.warnAt == 1000 && standard.throttleFrom == 2500 && standard.refuseFrom == 5000)
        #expect(standard.windowMs == 600_000)
        #expect(standard.refuseFrom < 10_000)
    }

    @Test func levelsRiseWithTheCountAndFallAsTheWindowSlides() {
        var guardState = InvalidRequestGuard(thresholds: Self.small)
        let start: Int64 = 1_700_000_000_000
        #expect(guardState.level(nowMs: start) == .normal)
        for _ in 0..<3 { guardState.record(nowMs: start) }
        #expect(guardState.level(nowMs: start) == .warning)
        for _ in 0..<2 { guardState.record(nowMs: start + 1000) }
        #expect(guardState.level(nowMs: start + 1000) == .throttled)
        for _ in 0..<4 { guardState.record(nowMs: start + 2000) }
        #expect(guardState.level(nowMs: start + 2000) == .refusing)
        #expect(guardState.count(nowMs: start + 2000) == 9)
        // Ten minutes after the first three, they have left the window (never early, at most a second late).
        #expect(guardState.count(nowMs: start + 599_000) == 9)
        #expect(guardState.count(nowMs: start + 601_000) == 6)
        #expect(guardState.level(nowMs: start + 601_000) == .throttled)
        #expect(guardState.count(nowMs: start + 700_000) == 0)
    }

    @Test func throttlingGrowsLinearlyFromTheMinimumToTheMaximumGap() {
        var guardState = InvalidRequestGuard(thresholds: InvalidRequestThresholds(warnAt: 1, throttleFrom: 10, refuseFrom: 20))
        let now: Int64 = 1_000_000
        for _ in 0..<9 { guardState.record(nowMs: now) }
        #expect(guardState.spacingMs(nowMs: now) == 0)
        guardState.record(nowMs: now)
        #expect(guardState.spacingMs(nowMs: now) == 100)
        for _ in 0..<5 { guardState.record(nowMs: now) }
        #expect(guardState.spacingMs(nowMs: now) == 550)
        for _ in 0..<5 { guardState.record(nowMs: now) }
        #expect(guardState.spacingMs(nowMs: now) == 1000)
    }

    @Test func onlyUnauthorizedForbiddenAndNonShared429sCount() throws {
        var h = Harness(thresholds: Self.small)
        for (status, info) in [(401, RateLimitInfo()), (403, RateLimitInfo()), (404, RateLimitInfo()), (500, RateLimitInfo()),
                               (429, RateLimitInfo(retryAfterMs: 1, scope: .shared)), (429, RateLimitInfo(retryAfterMs: 1, scope: .user))] {
            let id = try h.submit("GET", "/users/@me")
            h.advance(10)
            h.pump()
            h.respond(id, status: status, info)
        }
        #expect(h.limiter.invalidCount(nowMs: h.now) == 3)
    }

    @Test func theLimiterThrottlesThenRefusesAllButEssentialRequests() throws {
        var h = Harness(thresholds: Self.small)
        // An unlimited route, so only the guard and the global limit apply.
        let learn = try h.submit("GET", "/users/@me")
        h.pump()
        h.respond(learn, RateLimitInfo())
        var changes: [InvalidRequestGuard.Level] = []
        for _ in 0..<5 {
            let id = try h.submit("GET", "/users/@me")
            #expect(h.pump() == [id])
            if let level = h.respond(id, status: 403, RateLimitInfo()).guardLevelChanged { changes.append(level) }
        }
        #expect(changes == [.warning, .throttled])
        // Throttled: a 100 ms gap after the previous request.
        let next = try h.submit("GET", "/users/@me")
        #expect(h.pump().isEmpty)
        #expect(h.wakeAt == h.now + 100)
        h.advance(100)
        #expect(h.pump() == [next])
        h.respond(next, status: 403, RateLimitInfo())
        for _ in 0..<3 {
            h.advance(1000)
            let id = try h.submit("GET", "/users/@me")
            h.pump()
            h.respond(id, status: 401, RateLimitInfo())
        }
        #expect(h.limiter.invalidCount(nowMs: h.now) == 9)
        // Refusing: non-essential requests are refused with the reason, essential ones still go.
        h.advance(1000)
        let refused = try h.submit("POST", "/channels/1/messages")
        let callback = try h.submit("POST", "/interactions/1/tok/callback")
        #expect(h.pump() == [callback])
        #expect(h.refused[refused]?.contains("invalid requests") == true)
        // Ten minutes on, the window has emptied and everything flows again.
        h.advance(700_000)
        let later = try h.submit("POST", "/channels/1/messages")
        #expect(h.pump() == [later])
    }

    @Test func headersAreReadAndJunkIsIgnored() {
        let info = RateLimitInfo(status: 200, headers: [
            ("x-ratelimit-bucket", "abcd1234"), ("X-RateLimit-Limit", "5"), ("X-RateLimit-Remaining", "4"),
            ("X-RateLimit-Reset-After", "1.2341"), ("X-RateLimit-Reset", "1470173023.123"),
        ], body: [])
        #expect(info == RateLimitInfo(bucket: "abcd1234", limit: 5, remaining: 4, resetAfterMs: 1235))
        let junk = RateLimitInfo(status: 200, headers: [
            ("X-RateLimit-Limit", "lots"), ("X-RateLimit-Remaining", "-1"), ("X-RateLimit-Reset-After", "nan"),
            ("X-RateLimit-Bucket", ""),
        ], body: [])
        #expect(junk == RateLimitInfo())
    }

    @Test func a429PrefersTheBodysPreciseRetryAfter() {
        let body = Array(#"{"message": "You are being rate limited.", "retry_after": 0.347, "global": false}"#.utf8)
        let info = RateLimitInfo(status: 429, headers: [("Retry-After", "1"), ("X-RateLimit-Scope", "user")], body: body)
        #expect(info.retryAfterMs == 347 && info.scope == .user && !info.isGlobal)
        let headerOnly = RateLimitInfo(status: 429, headers: [("Retry-After", "2")], body: Array("<html>".utf8))
        #expect(headerOnly.retryAfterMs == 2000)
        let global = RateLimitInfo(status: 429, headers: [("X-RateLimit-Global", "true")], body: Array(#"{"retry_after": 1.5}"#.utf8))
        #expect(global.isGlobal && global.retryAfterMs == 1500)
        let bodyGlobal = RateLimitInfo(status: 429, headers: [], body: Array(#"{"retry_after": 1, "global": true}"#.utf8))
        #expect(bodyGlobal.isGlobal)
        let shared = RateLimitInfo(status: 429, headers: [("X-RateLimit-Scope", "Shared")], body: [])
        #expect(shared.scope == .shared && shared.retryAfterMs == nil)
    }
}
