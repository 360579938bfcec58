@testable import DiscordClient
import BotHostCore
import Testing

/// The pure rate limiter, driven by hand: queue requests, pump at a given time, feed back headers.
@Suite struct RESTLimiterTests {
    /// A limiter plus the bookkeeping a test needs: ids, sequence numbers, the grants so far.
    struct Harness {
        var limiter: RateLimiter
        var now: Int64 = 1_000_000
        var nextID: UInt64 = 1
        var routes: [UInt64: DiscordRoute] = [:]
        var tickets: [UInt64: RateLimitTicket] = [:]
        var refused: [UInt64: String] = [:]
        var wakeAt: Int64?

        /// Bucket arithmetic is easiest to see with several requests in flight per route, so the
        /// harness turns one-in-flight off unless a test asks for it.
        init(policy: RateLimitPolicy = RateLimitPolicy(safetyMarginMs: 0, oneInFlightPerRoute: false),
             thresholds: InvalidRequestThresholds = .standard) {
            limiter = RateLimiter(policy: policy, thresholds: thresholds)
        }

        @discardableResult
        mutating func submit(_ method: String, _ path: String) throws -> UInt64 {
            let id = nextID
            nextID += 1
            let route = try DiscordRoute(method, path)
            routes[id] = route
            limiter.enqueue(id: id, route: route, sequence: id)
            return id
        }

        /// Pumps and returns the ids granted by this pump.
        @discardableResult
        mutating func pump() -> [UInt64] {
            let result = limiter.pump(nowMs: now)
            wakeAt = result.wakeAtMs
            var granted: [UInt64] = []
            for (id, grant) in result.grants {
                switch grant {
                case .go(let ticket):
                    tickets[id] = ticket
                    granted.append(id)
                case .refuse(let why):
                    refused[id] = why
                }
            }
            return granted
        }

        @discardableResult
        mutating func respond(_ id: UInt64, status: Int = 200, _ info: RateLimitInfo) -> RateLimiter.Completion {
            guard let ticket = tickets.removeValue(forKey: id) else {
                Issue.record("request \(id) was never granted")
                return RateLimiter.Completion()
            }
            return limiter.complete(ticket, status: status, info: info, nowMs: now)
        }

        mutating func advance(_ ms: Int64) { now += ms }
    }

    static func bucket(_ hash: String = "h1", limit: Int = 5, remaining: Int, resetAfterMs: Int64 = 5000) -> RateLimitInfo {
        RateLimitInfo(bucket: hash, limit: limit, remaining: remaining, resetAfterMs: resetAfterMs)
    }

    @Test func anUnknownRouteIsSerializedUntilItsFirstResponse() throws {
        var h = Harness()
        let first = try h.submit("POST", "/channels/1/messages")
        try h.submit("POST", "/channels/1/messages")
        try h.submit("POST", "/channels/1/messages")
        #expect(h.pump() == [first])
        #expect(h.wakeAt == nil, "only a response can unblock the others")
        #expect(h.pump().isEmpty)
        h.respond(first, Self.bucket(remaining: 4))
        #expect(h.pump() == [2, 3])
    }

    @Test func remainingZeroWaitsUntilTheResetThenTheWindowRefills() throws {
        var h = Harness()
        let probe = try h.submit("POST", "/channels/1/messages")
        h.pump()
        h.respond(probe, Self.bucket(remaining: 4, resetAfterMs: 5000))
        for _ in 0..<7 { try h.submit("POST", "/channels/1/messages") }
        let granted = h.pump()
        #expect(granted.count == 4, "4 remain in the window, reserved before their responses")
        #expect(h.wakeAt == h.now + 5000)
        h.advance(4999)
        #expect(h.pump().isEmpty)
        for (index, id) in granted.enumerated() { h.respond(id, Self.bucket(remaining: 3 - index, resetAfterMs: 1)) }
        #expect(h.pump().isEmpty, "responses from the same window cannot raise what remains")
        h.advance(1)
        #expect(h.pump().count == 3, "the next window lets the rest go")
    }

    @Test func requestsStillInFlightAtTheResetCountAgainstTheNewWindow() throws {
        var h = Harness()
        let probe = try h.submit("GET", "/channels/1/messages")
        h.pump()
        h.respond(probe, Self.bucket(remaining: 2, resetAfterMs: 1000))
        try h.submit("GET", "/channels/1/messages")
        try h.submit("GET", "/channels/1/messages")
        #expect(h.pump().count == 2)  // both still in flight when the window ends
        h.advance(1000)
        for _ in 0..<5 { try h.submit("GET", "/channels/1/messages") }
        #expect(h.pump().count == 3, "limit 5 minus the 2 in flight")
    }

    @Test func aLateResponseFromAnEarlierWindowDoesNotRefillTheCurrentOne() throws {
        var h = Harness()
        let probe = try h.submit("GET", "/channels/1/messages")
        h.pump()
        h.respond(probe, Self.bucket(limit: 2, remaining: 1, resetAfterMs: 1000))
        let slow = try h.submit("GET", "/channels/1/messages")
        #expect(h.pump() == [slow])
        h.advance(1000)
        try h.submit("GET", "/channels/1/messages")
        #expect(h.pump().count == 1, "limit 2 minus the one still in flight")
        // The slow one answers now with an old view (plenty remaining, reset soon): ignored.
        h.respond(slow, Self.bucket(limit: 2, remaining: 1, resetAfterMs: 10))
        try h.submit("GET", "/channels/1/messages")
        #expect(h.pump().isEmpty, "its \"1 remaining\" described the old window and is not believed")
    }

    @Test func majorParametersKeepBucketsApart() throws {
        var h = Harness()
        let one = try h.submit("POST", "/channels/1/messages")
        h.pump()
        h.respond(one, Self.bucket(remaining: 0, resetAfterMs: 5000))
        try h.submit("POST", "/channels/1/messages")
        let other = try h.submit("POST", "/channels/2/messages")
        #expect(h.pump() == [other], "channel 1 is exhausted, channel 2 is not")
        // Channel 2's bucket is new to the limiter: learned with one request at a time.
        try h.submit("POST", "/channels/2/messages")
        #expect(h.pump().isEmpty)
        h.respond(other, Self.bucket(remaining: 4))
        #expect(h.pump().count == 1)
    }

    @Test func routesSharingABucketHashShareItsWindow() throws {
        var h = Harness()
        let list = try h.submit("GET", "/channels/1/messages")
        h.pump()
        h.respond(list, Self.bucket("shared", limit: 3, remaining: 2))
        let single = try h.submit("GET", "/channels/1/messages/9")
        #expect(h.pump() == [single], "a new route probes once")
        h.respond(single, Self.bucket("shared", limit: 3, remaining: 1))
        try h.submit("GET", "/channels/1/messages")
        try h.submit("GET", "/channels/1/messages/9")
        #expect(h.pump().count == 1, "one left in the shared window")
    }

    @Test func aRouteWithoutBucketHeadersIsNotSerialized() throws {
        var h = Harness()
        let first = try h.submit("GET", "/users/@me")
        h.pump()
        h.respond(first, RateLimitInfo())
        for _ in 0..<10 { try h.submit("GET", "/users/@me") }
        #expect(h.pump().count == 10)
    }

    @Test func theGlobalLimitSpacesRequestsButNotInteractionCallbacks() throws {
        var h = Harness(policy: RateLimitPolicy(globalLimit: 50, globalWindowMs: 1000, safetyMarginMs: 0, oneInFlightPerRoute: false))
        // Distinct channels: each one's first request goes as its bucket's probe.
        for channel in 1...60 { try h.submit("POST", "/channels/\(channel)/messages") }
        #expect(h.pump().count == 50)
        #expect(h.wakeAt == h.now + 1000)
        let callback = try h.submit("POST", "/interactions/5/token/callback")
        #expect(h.pump() == [callback], "interaction callbacks are exempt from the global limit")
        h.advance(400)
        #expect(h.pump().isEmpty)
        h.advance(600)
        #expect(h.pump().count == 10)
    }

    @Test func theGlobalWindowSlides() throws {
        var h = Harness(policy: RateLimitPolicy(globalLimit: 4, globalWindowMs: 1000, safetyMarginMs: 0, oneInFlightPerRoute: false))
        for channel in 1...2 { try h.submit("GET", "/channels/\(channel)") }
        h.pump()
        h.advance(500)
        for channel in 3...6 { try h.submit("GET", "/channels/\(channel)") }
        #expect(h.pump().count == 2)
        h.advance(500)  // the first two leave the window; the two from t+500 are still in it
        #expect(h.pump().count == 2)
    }

    @Test func aUserScoped429PausesTheBucketAndCounts() throws {
        var h = Harness()
        let probe = try h.submit("POST", "/channels/1/messages")
        h.pump()
        h.respond(probe, Self.bucket(remaining: 4, resetAfterMs: 1000))
        let hit = try h.submit("POST", "/channels/1/messages")
        h.pump()
        var info = Self.bucket(remaining: 0, resetAfterMs: 3000)
        info.retryAfterMs = 3000
        info.scope = .user
        let completion = h.respond(hit, status: 429, info)
        #expect(completion.rateLimited && completion.countedInvalid && completion.retryAfterMs == 3000)
        try h.submit("POST", "/channels/1/messages")
        let elsewhere = try h.submit("POST", "/channels/2/messages")
        #expect(h.pump() == [elsewhere], "another channel is not paused")
        #expect(h.wakeAt == h.now + 3000)
        h.advance(2999)
        #expect(h.pump().isEmpty)
        h.advance(1)
        #expect(h.pump().count == 1)
        #expect(h.limiter.invalidCount(nowMs: h.now) == 1)
    }

    @Test func aGlobal429PausesEverything() throws {
        var h = Harness()
        let first = try h.submit("GET", "/channels/1")
        h.pump()
        let completion = h.respond(first, status: 429, RateLimitInfo(retryAfterMs: 2000, scope: .global, isGlobal: true))
        #expect(completion.isGlobal && completion.countedInvalid)
        try h.submit("GET", "/channels/7")
        try h.submit("POST", "/interactions/1/t/callback")
        #expect(h.pump().isEmpty, "a global 429 pauses every route, callbacks included")
        h.advance(2000)
        #expect(h.pump().count == 2)
    }

    @Test func aShared429PausesTheBucketButIsNotInvalid() throws {
        var h = Harness()
        let first = try h.submit("PUT", "/channels/1/messages/2/reactions/x:1/@me")
        h.pump()
        let completion = h.respond(first, status: 429, RateLimitInfo(bucket: "r", retryAfterMs: 500, scope: .shared))
        #expect(completion.rateLimited && !completion.countedInvalid)
        #expect(h.limiter.invalidCount(nowMs: h.now) == 0)
        try h.submit("PUT", "/channels/1/messages/2/reactions/x:1/@me")
        #expect(h.pump().isEmpty)
        h.advance(500)
        #expect(h.pump().count == 1)
    }

    @Test func aRetryKeepsItsPlaceInTheQueue() throws {
        var h = Harness()
        let route = try DiscordRoute("POST", "/channels/1/messages")
        h.limiter.enqueue(id: 10, route: route, sequence: 5)
        h.limiter.enqueue(id: 11, route: route, sequence: 6)
        h.limiter.enqueue(id: 9, route: route, sequence: 1)  // a retry of an earlier request
        let grants = h.limiter.pump(nowMs: h.now).grants.map(\.id)
        #expect(grants == [9])
    }

    @Test func aFailedProbeLetsTheNextRequestProbe() throws {
        var h = Harness()
        let first = try h.submit("GET", "/channels/1")
        let second = try h.submit("GET", "/channels/1")
        h.pump()
        if let ticket = h.tickets.removeValue(forKey: first) { h.limiter.abandon(ticket) }
        #expect(h.pump() == [second])
    }

    @Test func aRemovedRequestNeverGoes() throws {
        var h = Harness()
        let first = try h.submit("GET", "/channels/1")
        let second = try h.submit("GET", "/channels/1")
        h.pump()
        if let route = h.routes[second] {
            let removed = h.limiter.remove(id: second, route: route)
            #expect(removed)
        }
        h.respond(first, RateLimitInfo())
        #expect(h.pump().isEmpty)
        #expect(h.limiter.queuedCount == 0)
    }

    @Test func byDefaultOneRequestPerChannelIsInFlightSoTheyArriveInOrder() throws {
        var h = Harness(policy: RateLimitPolicy(safetyMarginMs: 0))
        let first = try h.submit("POST", "/channels/1/messages")
        h.pump()
        h.respond(first, Self.bucket(remaining: 4))
        let a = try h.submit("POST", "/channels/1/messages")
        let b = try h.submit("POST", "/channels/1/messages")
        let other = try h.submit("POST", "/channels/2/messages")
        let edit = try h.submit("PATCH", "/channels/1/messages/5")
        #expect(Set(h.pump()) == [a, other, edit], "one per endpoint and channel; others in parallel")
        h.respond(a, Self.bucket(remaining: 3))
        #expect(h.pump() == [b])
    }

    @Test func theSafetyMarginIsAddedToLearnedResets() throws {
        var h = Harness(policy: RateLimitPolicy(safetyMarginMs: 50, oneInFlightPerRoute: false))
        let first = try h.submit("GET", "/channels/1")
        h.pump()
        h.respond(first, Self.bucket(limit: 1, remaining: 0, resetAfterMs: 1000))
        try h.submit("GET", "/channels/1")
        h.pump()
        #expect(h.wakeAt == h.now + 1050)
    }
}
