@testable import BotHost
import DiscordEmulator
import Foundation
import Logging
import Synchronization
import Testing

/// The REST client against the Discord emulator over real HTTP on loopback.
///
/// Discord's limits are slow on purpose (5 messages per 5 s per channel), so these tests do not
/// wait them out: the emulator's clock is frozen and the client runs on a manual clock, and a
/// driver moves both forward by the same amount whenever the client has nothing on the wire and
/// is only waiting for time to pass. A 1,000-message burst then covers 1,000 s of Discord time in a
/// few seconds, and every timing claim is checked on the emulator's clock, never on the wall.
@Suite struct RESTIntegrationTests {
    /// An emulator plus a client pointed at it, on two clocks moved together.
    struct Rig {
        let emulator: DiscordEmulator
        let clock: ManualClock
        let rest: DiscordREST
        let logs: LogCapture

        static func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration(), token: String? = nil,
                          adjust: (inout DiscordRESTConfiguration) -> Void = { _ in }) async throws -> Rig {
            let emulator = DiscordEmulator(configuration)
            try await emulator.start()
            emulator.freezeClock()
            var settings = DiscordRESTConfiguration(baseURL: emulator.apiBaseURL)
            adjust(&settings)
            let logs = LogCapture()
            let clock = ManualClock()
            let rest = try DiscordREST(configuration: settings, token: token ?? configuration.token, clock: clock,
                                       logger: logs.logger)
            return Rig(emulator: emulator, clock: clock, rest: rest, logs: logs)
        }

        /// Runs `work`, moving both clocks to the client's next deadline whenever it is idle.
        func drive<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
            let done = Atomic<Bool>(false)
            let task = Task {
                defer { done.store(true, ordering: .releasing) }
                return try await work()
            }
            let realDeadline = ContinuousClock.now + .seconds(120)
            while !done.load(ordering: .acquiring), ContinuousClock.now < realDeadline {
                if let idleUntil = rest.idleUntilMs {
                    let step = max(1, idleUntil - Int64(clock.monotonicNs() / 1_000_000))
                    // The emulator first: a request sent after this sees the later time, never the earlier.
                    emulator.advanceClock(ms: step)
                    clock.advance(byMs: step)
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            return try await task.value
        }

        /// Also checks every request the client sent against Discord's OpenAPI spec.
        func stop(sourceLocation: SourceLocation = #_sourceLocation) async {
            await rest.shutdown()
            expectRequestsConformToDiscordSpec(emulator, sourceLocation: sourceLocation)
            await emulator.shutdown()
        }

        var rateLimitedAnswers: [RecordedRequest] { emulator.requests.filter { $0.status == 429 } }
    }

    static func message(_ text: String) -> [UInt8] { Array(#"{"content":"\#(text)"}"#.utf8) }

    @Test func aThousandMessagesToOneChannelMeetNo429() async throws {
        let rig = try await Rig.start()
        let rest = rig.rest
        let requests = try (0..<1000).map { try rest.prepare("POST", "/channels/2001/messages", json: Self.message("m\($0)")) }
        let queued = requests.map { rest.queue($0) }  // in order, as the plugin call does
        let statuses = try await rig.drive {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for (request, id) in zip(requests, queued) {
                    group.addTask { try await rest.send(request, queued: id).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        #expect(statuses.count == 1000 && statuses.allSatisfy { $0 == 200 })
        #expect(rig.rateLimitedAnswers.isEmpty, "\(rig.rateLimitedAnswers.count) 429s")
        let contents = rig.emulator.messages(in: 2001).map(\.content)
        #expect(contents == (0..<1000).map { "m\($0)" }, "all delivered once, in order")
        // 5 per 5 s: the burst took at least 199 full windows of the emulator's time.
        let times = rig.emulator.requests.map(\.timeMs)
        if let first = times.first, let last = times.last { #expect(last - first >= 199 * 5000) }
        await rig.stop()
    }

    @Test func theGlobalLimitIsNeverExceeded() async throws {
        var configuration = EmulatorConfiguration()
        let channels = (0..<160).map { EmulatedChannel(id: 5000 + UInt64($0), name: "c\($0)", kind: .text) }
        configuration.guilds = [EmulatedGuild(id: 2000, name: "Wide", channels: channels,
                                              members: [EmulatedUser(id: 3000, username: "u")], ownerID: 3000)]
        let rig = try await Rig.start(configuration)
        let rest = rig.rest
        let statuses = try await rig.drive {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for channel in channels {
                    group.addTask { try await rest.send("POST", "/channels/\(channel.id)/messages", json: Self.message("hi")).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        #expect(statuses.count == 160 && statuses.allSatisfy { $0 == 200 })
        #expect(rig.rateLimitedAnswers.isEmpty)
        // No 1-second span of the emulator's clock holds more than 50 requests.
        let times = rig.emulator.requests.map(\.timeMs).sorted()
        var busiest = 0
        for (index, start) in times.enumerated() {
            busiest = max(busiest, times[index...].prefix { $0 < start + 1000 }.count)
        }
        #expect(busiest <= 50 && busiest >= 40, "busiest second: \(busiest)")
        await rig.stop()
    }

    @Test func retryAfterIsHonouredForTheRouteAndAGlobal429PausesEverything() async throws {
        let rig = try await Rig.start()
        let rest = rig.rest
        rig.emulator.injectREST(.tooManyRequests(count: 1, retryAfterMs: 3000, method: "POST", pathPrefix: "/channels/2001/messages"))
        let first = try await rig.drive { try await rest.send("POST", "/channels/2001/messages", json: Self.message("a")) }
        #expect(first.status == 200)
        let posts = rig.emulator.requests.filter { $0.method == "POST" }
        #expect(posts.map(\.status) == [429, 200])
        if posts.count == 2 { #expect(posts[1].timeMs - posts[0].timeMs >= 3000) }

        rig.emulator.injectREST(.tooManyRequests(count: 1, retryAfterMs: 2000, global: true, scope: "global",
                                                 method: "POST", pathPrefix: "/channels/2001/messages"))
        let before = rig.emulator.requests.count
        // Neither clock moves until the GET has been made behind the global 429.
        let post = Task { try await rest.send("POST", "/channels/2001/messages", json: Self.message("b")) }
        #expect(await eventually { rig.emulator.requests.dropFirst(before).contains { $0.status == 429 } && rest.idleUntilMs != nil })
        let queued = rest.gate.queuedCount
        let get = Task { try await rest.send("GET", "/channels/2001") }
        // Queued behind the pause (the emulator's times below show it went out only after it).
        #expect(await eventually { rest.gate.queuedCount == queued + 1 })
        #expect(rig.emulator.requests.count == before + 1, "the GET is held back by the global pause")
        let statuses = try await rig.drive { (try await post.value.status, try await get.value.status) }
        #expect(statuses == (200, 200))
        let later = Array(rig.emulator.requests.dropFirst(before))
        if let limited = later.first(where: { $0.status == 429 }), let fetched = later.first(where: { $0.method == "GET" }) {
            #expect(limited.responseHeader("X-RateLimit-Global") == "true")
            #expect(fetched.timeMs - limited.timeMs >= 2000, "a global 429 holds back every route")
        } else {
            Issue.record("expected a global 429 and a GET: \(later.map { "\($0.method) \($0.status)" })")
        }
        await rig.stop()
    }

    @Test func serverErrorsAreRetriedWithOneNonceAndNothingIsPostedTwice() async throws {
        let rig = try await Rig.start()
        let rest = rig.rest
        rig.emulator.injectREST(.serverError(count: 1, status: 502, method: "POST", pathPrefix: "/channels/2001/messages"))
        rig.emulator.injectREST(.serverError(count: 1, status: 503, method: "POST", pathPrefix: "/channels/2001/messages"))
        let request = try rest.prepare("POST", "/channels/2001/messages", json: Self.message("once"))
        let response = try await rig.drive { try await rest.send(request) }
        #expect(response.status == 200)
        let posts = rig.emulator.requests.filter { $0.method == "POST" }
        #expect(posts.map(\.status) == [502, 503, 200])
        let bodies = posts.compactMap { try? JSONValue.parse($0.body) }
        let nonces = Set(bodies.compactMap { $0["nonce"]?.stringValue })
        #expect(nonces.count == 1 && bodies.allSatisfy { $0["enforce_nonce"]?.boolValue == true })
        // Even when an attempt did post (sent again here on purpose), the nonce keeps it to one message.
        let again = try await rig.drive { try await rest.send(request) }
        let id = { (body: [UInt8]) in (try? JSONValue.parse(body))?["id"]?.stringValue }
        #expect(again.status == 200 && id(again.body) == id(response.body))
        #expect(rig.emulator.messages(in: 2001).count == 1)
        // A create whose own nonce is not enforced could post twice: its 5xx is returned, not retried.
        rig.emulator.injectREST(.serverError(count: 1, status: 500, method: "POST"))
        let unsafe = try await rig.drive {
            try await rest.send("POST", "/channels/2001/messages", json: Array(#"{"content":"z","nonce":"own"}"#.utf8))
        }
        #expect(unsafe.status == 500)
        // PUT is idempotent: retried.
        rig.emulator.injectREST(.serverError(count: 1, status: 500, method: "PUT"))
        let overwrite = try await rig.drive { try await rest.send("PUT", "/applications/1000/commands", json: Array("[]".utf8)) }
        #expect(overwrite.status == 200)
        await rig.stop()
    }

    @Test func theInvalidRequestGuardTripsLongBeforeDiscordWould() async throws {
        let rig = try await Rig.start(token: "not-the-sandbox-token") { settings in
            settings.invalidRequests = InvalidRequestThresholds(warnAt: 2, throttleFrom: 4, refuseFrom: 6)
        }
        let rest = rig.rest
        let outcome = try await rig.drive { () -> (statuses: [Int], refusal: DiscordRESTError?) in
            var statuses: [Int] = []
            for _ in 0..<20 {
                do {
                    statuses.append(try await rest.send("GET", "/users/@me").status)
                } catch let error as DiscordRESTError {
                    return (statuses, error)
                }
            }
            return (statuses, nil)
        }
        #expect(outcome.statuses == Array(repeating: 401, count: 6))
        if case .refusedByGuard(let why)? = outcome.refusal {
            #expect(why.contains("6 invalid requests"))
        } else {
            Issue.record("expected a refusal, got \(String(describing: outcome.refusal))")
        }
        #expect(rig.emulator.requests.count == 6, "the refused request never reached Discord")
        #expect(rig.emulator.invalidRequestCount == 6 && rest.invalidRequestCount == 6)
        // Essential requests still go (here only to be told the token is wrong).
        let gateway = try await rig.drive { try await rest.send("GET", "/gateway/bot") }
        #expect(gateway.status == 401)
        #expect(rig.logs.lines.contains { $0.contains("guard now refusing") })
        await rig.stop()
    }

    @Test func theTokenAppearsInNoErrorAndNoLogLine() async throws {
        let rig = try await Rig.start()
        let rest = rig.rest
        let token = rig.emulator.configuration.token
        rig.emulator.injectREST(.tooManyRequests(count: 2, retryAfterMs: 500, method: "GET"))
        rig.emulator.injectREST(.serverError(count: 1, status: 500, method: "GET"))
        _ = try await rig.drive { try await rest.send("GET", "/channels/2001") }
        // The same token and log, towards a port nobody listens on: connection failures, retried.
        // (async-http-client keeps retrying a refused connection until the deadline: keep it short.)
        let dead = try DiscordREST(configuration: DiscordRESTConfiguration(baseURL: "http://127.0.0.1:1/api/v10", requestTimeoutMs: 200),
                                   token: token, clock: rig.clock, logger: rig.logs.logger)
        let deadRig = Rig(emulator: rig.emulator, clock: rig.clock, rest: dead, logs: rig.logs)
        var errors: [String] = []
        for (method, path) in [("GET", "/channels/2001"), ("POST", "/channels/2001/messages")] {
            do {
                _ = try await deadRig.drive { try await dead.send(method, path, json: method == "POST" ? Self.message("x") : nil) }
                Issue.record("\(method) \(path) reached a closed port")
            } catch {
                errors.append(String(describing: error))
            }
        }
        #expect(errors.count == 2, "\(errors)")
        await dead.shutdown()
        for text in errors + rig.logs.lines { #expect(!text.contains(token), "leaked in: \(text)") }
        #expect(rig.logs.lines.contains { $0.contains("429") } && rig.logs.lines.contains { $0.contains("retry") })
        await rig.stop()
    }
}

/// Collects log lines (message and metadata) so tests can check what an operator would see.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ line: String) { storage.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all)" + (event.error.map { " \($0)" } ?? ""))
        }
    }
}
