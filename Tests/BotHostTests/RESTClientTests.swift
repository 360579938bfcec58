@testable import BotHost
import Foundation
import Logging
import Synchronization
import Testing

/// The client's request handling — headers, nonces, retries, 429s, secrecy — over a scripted
/// transport on a manual clock: nothing sleeps, nothing touches the network.
@Suite struct RESTClientTests {
    static let token = "MTA1.secret-token.xyz"

    /// Answers each request with the next scripted outcome (then 200 `{}`), recording what it got.
    final class ScriptedTransport: DiscordTransport {
        typealias Outcome = Result<DiscordResponse, DiscordRESTError>
        private let state = Mutex<(script: [Outcome], requests: [DiscordHTTPRequest])>(([], []))
        private let hold = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let holdNext = Atomic<Bool>(false)

        init(_ script: [Outcome] = []) { state.withLock { $0.script = script } }

        func execute(_ request: DiscordHTTPRequest, timeoutMs: Int64) async -> Outcome {
            if holdNext.exchange(false, ordering: .relaxed) {
                await withCheckedContinuation { continuation in hold.withLock { $0 = continuation } }
            }
            return state.withLock { s in
                s.requests.append(request)
                return s.script.isEmpty ? .success(DiscordResponse(status: 200, headers: [], body: Array("{}".utf8))) : s.script.removeFirst()
            }
        }

        func release() { hold.withLock { $0.take() }?.resume() }
        /// Whether a request is being held in flight (it is recorded only once released).
        var isHolding: Bool { hold.withLock { $0 != nil } }
        func shutdown() async {}
        var requests: [DiscordHTTPRequest] { state.withLock { $0.requests } }
        var count: Int { state.withLock { $0.requests.count } }
    }

    static func client(_ transport: ScriptedTransport, clock: ManualClock = ManualClock(),
                       configuration: DiscordRESTConfiguration = DiscordRESTConfiguration(baseURL: "https://discord.test/api/v10/")) throws -> DiscordREST {
        try DiscordREST(configuration: configuration, token: token, clock: clock, logger: Logger(label: "test"), transport: transport)
    }

    static func response(_ status: Int, _ body: String = "{}", headers: [(String, String)] = []) -> ScriptedTransport.Outcome {
        .success(DiscordResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    static func header(_ request: DiscordHTTPRequest?, _ name: String) -> String? {
        request?.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    @Test func requestsCarryTheTokenUserAgentJSONTypeAndEncodedReason() async throws {
        let transport = ScriptedTransport()
        let rest = try Self.client(transport)
        let response = try await rest.send("patch", "/guilds/1/members/2", json: Array(#"{"nick":"x"}"#.utf8),
                                           reason: "spam: repeated\r\nlinks ✓")
        #expect(response.status == 200)
        let sent = transport.requests.first
        #expect(sent?.method == "PATCH")
        #expect(sent?.url == "https://discord.test/api/v10/guilds/1/members/2")
        #expect(Self.header(sent, "Authorization") == "Bot \(Self.token)")
        #expect(Self.header(sent, "User-Agent") == "DiscordBot (https://github.com/bothost/bothost, \(HostVersion.current))")
        #expect(Self.header(sent, "Content-Type") == "application/json")
        #expect(Self.header(sent, "X-Audit-Log-Reason") == "spam%3A%20repeated%0D%0Alinks%20%E2%9C%93")
        #expect(sent?.body == Array(#"{"nick":"x"}"#.utf8))

        _ = try await rest.send("GET", "/users/@me")
        #expect(Self.header(transport.requests.last, "Content-Type") == nil)
        #expect(Self.header(transport.requests.last, "X-Audit-Log-Reason") == nil)
        await rest.shutdown()
    }

    @Test func badBodiesAndReasonsAreRefusedBeforeSending() async throws {
        let transport = ScriptedTransport()
        let rest = try Self.client(transport)
        await #expect(throws: DiscordRESTError.self) { try await rest.send("POST", "/channels/1/messages", json: Array("{nope".utf8)) }
        await #expect(throws: DiscordRESTError.self) {
            try await rest.send("DELETE", "/channels/1", reason: String(repeating: "r", count: 513))
        }
        #expect(transport.count == 0)
        await rest.shutdown()
    }

    @Test func messageCreatesGetANonceThatIsEnforcedAndTheRestOfTheBodyIsKept() throws {
        let route = try DiscordRoute("POST", "/channels/1/messages")
        let body = Array(#"  { "content" : "hi",  "tts":false }"#.utf8)
        let prepared = try RequestBody.prepare(body, for: route, nonce: { "777" })
        #expect(prepared.retrySafe)
        #expect(prepared.body.map { String(decoding: $0, as: UTF8.self) } == #"  {"nonce":"777","enforce_nonce":true, "content" : "hi",  "tts":false }"#)
        let empty = try RequestBody.prepare(Array("{}".utf8), for: route, nonce: { "1" })
        #expect(empty.body == Array(#"{"nonce":"1","enforce_nonce":true}"#.utf8))
        // The plugin's own nonce is left alone; unenforced, it does not make retries safe.
        let own = try RequestBody.prepare(Array(#"{"content":"a","nonce":"mine"}"#.utf8), for: route)
        #expect(own.body == Array(#"{"content":"a","nonce":"mine"}"#.utf8) && !own.retrySafe)
        let enforced = try RequestBody.prepare(Array(#"{"nonce":5,"enforce_nonce":true}"#.utf8), for: route)
        #expect(enforced.retrySafe)
        // Other POSTs are neither changed nor retry-safe; idempotent methods are.
        let role = try RequestBody.prepare(Array("{}".utf8), for: try DiscordRoute("POST", "/guilds/1/roles"))
        #expect(role.body == Array("{}".utf8) && !role.retrySafe)
        #expect(try RequestBody.prepare(nil, for: try DiscordRoute("DELETE", "/channels/1/messages/2")).retrySafe)
        #expect(RequestBody.randomNonce().count <= 25)
    }

    @Test func a5xxIsRetriedWithBackoffForSafeRequestsKeepingTheNonce() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport([Self.response(502, "<html>bad gateway</html>"), Self.response(500)])
        let rest = try Self.client(transport, clock: clock)
        let task = Task { try await rest.send("POST", "/channels/1/messages", json: Array(#"{"content":"once"}"#.utf8)) }
        #expect(await eventually { transport.count == 1 })
        let backoffEnd = Int64(clock.monotonicNs() / 1_000_000) + 500
        #expect(await eventually { rest.idleUntilMs == backoffEnd }, "the first backoff is 500 ms on the host clock")
        clock.advance(byMs: 499)
        await rest.gate.scheduler.caughtUp()
        #expect(rest.idleUntilMs == backoffEnd && transport.count == 1, "still backing off 1 ms before its end")
        clock.advance(byMs: 1)
        #expect(await eventually { transport.count == 2 })
        clock.advance(byMs: 1000)
        let response = try await task.value
        #expect(response.status == 200)
        let nonces = transport.requests.compactMap { $0.body.flatMap { try? JSONValue.parse($0)["nonce"]?.stringValue } }
        #expect(nonces.count == 3 && Set(nonces).count == 1, "every attempt carries the same nonce")
        await rest.shutdown()
    }

    @Test func unsafeRequestsAreNotRetriedAfterA5xxOrAConnectionFailure() async throws {
        let transport = ScriptedTransport([Self.response(500), .failure(.transport("connection reset by peer"))])
        let rest = try Self.client(transport)
        let first = try await rest.send("POST", "/guilds/1/roles", json: Array("{}".utf8))
        #expect(first.status == 500)
        await #expect(throws: DiscordRESTError.transport("connection reset by peer")) {
            try await rest.send("POST", "/guilds/1/roles", json: Array("{}".utf8))
        }
        #expect(transport.count == 2)
        await rest.shutdown()
    }

    @Test func retriesStopAfterTheConfiguredNumber() async throws {
        let clock = ManualClock()
        let transport = ScriptedTransport(Array(repeating: .failure(.timeout), count: 10))
        var configuration = DiscordRESTConfiguration(baseURL: "https://discord.test/api/v10")
        configuration.retry = RetryPolicy(maxFailureRetries: 2, backoffBaseMs: 10)
        let rest = try Self.client(transport, clock: clock, configuration: configuration)
        let task = Task { try await rest.send("GET", "/channels/1") }
        for attempt in 1...2 {
            #expect(await eventually { transport.count == attempt })
            clock.advance(byMs: 1000)
        }
        await #expect(throws: DiscordRESTError.timeout) { try await task.value }
        #expect(transport.count == 3)
        await rest.shutdown()
    }

    @Test func a429IsWaitedOutThenRetried() async throws {
        let clock = ManualClock()
        let limited = Self.response(429, #"{"message":"You are being rate limited.","retry_after":2.5,"global":false}"#,
                                    headers: [("Retry-After", "3"), ("X-RateLimit-Scope", "user")])
        let transport = ScriptedTransport([limited])
        let rest = try Self.client(transport, clock: clock)
        let task = Task { try await rest.send("POST", "/guilds/1/roles", json: Array("{}".utf8)) }
        #expect(await eventually { transport.count == 1 })
        let start = Int64(clock.monotonicNs() / 1_000_000)
        #expect(await eventually { rest.idleUntilMs.map { $0 > start + 2500 && $0 <= start + 2550 } == true },
                "waits retry_after plus a safety margin: \(String(describing: rest.idleUntilMs)) - \(start)")
        let retryAt = rest.idleUntilMs
        clock.advance(byMs: 2500)
        await rest.gate.scheduler.caughtUp()
        #expect(rest.idleUntilMs == retryAt && transport.count == 1, "retry_after plus the safety margin has not passed yet")
        clock.advance(byMs: 50)
        #expect(try await task.value.status == 200, "a 429 is retried even for a POST: Discord did not act on it")
        #expect(rest.invalidRequestCount == 1)
        await rest.shutdown()
    }

    @Test func theTokenNeverLeavesTheClient() async throws {
        let echo = "you sent Bot \(Self.token)"
        let transport = ScriptedTransport([
            .failure(.transport("connect failed: Authorization: Bot \(Self.token) to /webhooks/1/hook-secret")),
            Self.response(200, echo, headers: [("X-Echo", Self.token)]),
        ])
        let rest = try Self.client(transport)
        do {
            _ = try await rest.send("POST", "/webhooks/1/hook-secret", json: Array("{}".utf8))
            Issue.record("expected a transport error")
        } catch {
            #expect(!error.description.contains(Self.token))
            #expect(!error.description.contains("hook-secret"))
            #expect(error.description.contains("/webhooks/{webhook_id}/{webhook_token}"))
        }
        let response = try await rest.send("GET", "/users/@me")
        #expect(!String(decoding: response.body, as: UTF8.self).contains(Self.token))
        #expect(response.header("X-Echo") == BotCredential.placeholder)
        #expect(!"\(rest)".contains(Self.token) && !"\(rest.configuration)".contains(Self.token))
        await rest.shutdown()
    }

    @Test func misconfigurationIsReportedWithoutTheToken() throws {
        for url in ["discord.com/api/v10", "ftp://discord.com/api", "https://discord.com/api?x=1", "https://user:pw@discord.com/api"] {
            #expect(throws: DiscordRESTError.self) {
                try Self.client(ScriptedTransport(), configuration: DiscordRESTConfiguration(baseURL: url))
            }
        }
        for token in ["", "   ", "Bot ", "has space", "tab\tinside", "ünïcode"] {
            do {
                _ = try DiscordREST(configuration: DiscordRESTConfiguration(), token: token, clock: ManualClock(),
                                    logger: Logger(label: "test"), transport: ScriptedTransport())
                Issue.record("accepted token \"\(token)\"")
            } catch {
                #expect(token.trimmingCharacters(in: .whitespaces).isEmpty || !error.description.contains(token))
            }
        }
        // Pasted with a "Bot " prefix and a newline: accepted as the bare token.
        let transport = ScriptedTransport()
        let rest = try DiscordREST(configuration: DiscordRESTConfiguration(), token: "Bot abc.def\n", clock: ManualClock(),
                                   logger: Logger(label: "test"), transport: transport)
        #expect(rest.configuration.baseURL == DiscordRESTConfiguration.defaultBaseURL)
    }

    @Test func theBaseURLComesFromTheEnvironment() {
        #expect(DiscordRESTConfiguration.fromEnvironment([:]).baseURL == "https://discord.com/api/v10")
        #expect(DiscordRESTConfiguration.fromEnvironment(["DISCORD_API_URL": "http://127.0.0.1:9999/api/v10"]).baseURL
            == "http://127.0.0.1:9999/api/v10")
    }

    @Test func shutdownFailsQueuedRequests() async throws {
        let transport = ScriptedTransport()
        transport.holdNext.store(true, ordering: .relaxed)
        let rest = try Self.client(transport)
        // The first request probes the route and is held in flight; the second waits behind it.
        // The second starts only once the first is in flight: started together, either could be first.
        let first = Task { try await rest.send("GET", "/channels/1") }
        #expect(await eventually { transport.isHolding })
        let second = Task { try await rest.send("GET", "/channels/1") }
        #expect(await eventually { rest.gate.queuedCount == 1 })
        await rest.shutdown()
        await #expect(throws: DiscordRESTError.shutdown) { try await second.value }
        transport.release()
        _ = try? await first.value
    }

    @Test func cancellingAWaitingRequestGivesUpItsPlace() async throws {
        let transport = ScriptedTransport()
        transport.holdNext.store(true, ordering: .relaxed)
        let rest = try Self.client(transport)
        let first = Task { try await rest.send("GET", "/channels/1") }
        #expect(await eventually { transport.isHolding })
        let second = Task { try await rest.send("GET", "/channels/1") }
        #expect(await eventually { rest.gate.queuedCount == 1 })
        second.cancel()
        await #expect(throws: DiscordRESTError.cancelled) { try await second.value }
        transport.release()
        #expect(try await first.value.status == 200)
        #expect(transport.count == 1, "the cancelled request was never sent")
        await rest.shutdown()
    }

    @Test func requestsToOneChannelArriveInTheOrderTheyWereQueued() async throws {
        let bucket: [(String, String)] = [("X-RateLimit-Bucket", "b"), ("X-RateLimit-Limit", "50"),
                                          ("X-RateLimit-Remaining", "49"), ("X-RateLimit-Reset-After", "5")]
        let transport = ScriptedTransport(Array(repeating: .success(DiscordResponse(status: 200, headers: bucket, body: [])), count: 20))
        let rest = try Self.client(transport)
        let requests = try (0..<20).map { try rest.prepare("POST", "/channels/1/messages", json: Array(#"{"content":"\#($0)"}"#.utf8)) }
        let queued = requests.map { rest.queue($0) }  // as the host call does, in the plugin's order
        await withTaskGroup(of: Void.self) { group in
            // The tasks start in any order; the queue decides.
            for (request, id) in zip(requests, queued).reversed() {
                group.addTask { _ = try? await rest.send(request, queued: id) }
            }
        }
        let contents = transport.requests.compactMap { $0.body.flatMap { try? JSONValue.parse($0)["content"]?.stringValue } }
        #expect(contents == (0..<20).map(String.init))
        await rest.shutdown()
    }
}
