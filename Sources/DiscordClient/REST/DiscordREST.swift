import BotHostCore
import AsyncHTTPClient
import Logging
import Synchronization

/// The host's Discord REST client: every request goes through the rate limiter (per-route buckets
/// learned from Discord's headers, the global limit, 429s, the invalid-request guard), is retried
/// only where that is safe, and carries the bot token — which nothing this client returns, throws or
/// logs ever contains.
public final class DiscordREST: Sendable {
    public let configuration: DiscordRESTConfiguration
    private let baseURL: String
    private let credential: BotCredential
    private let transport: any DiscordTransport
    package let gate: RateLimitGate  // not private: tests wait on its queue and timers
    private let logger: Logger
    private let reportedUnauthorized = Atomic<Bool>(false)

    /// `baseURL` up to the API version, e.g. "https://discord.com/api/v10" or the emulator's
    /// "http://127.0.0.1:PORT/api/v10". Pass an `httpClient` to share one (the client then leaves
    /// it running on shutdown); it should not follow redirects.
    public convenience init(baseURL: String, token: String, clock: any HostClock = SystemClock(), logger: Logger,
                            httpClient: HTTPClient? = nil) throws(DiscordRESTError) {
        try self.init(configuration: DiscordRESTConfiguration(baseURL: baseURL), token: token, clock: clock,
                      logger: logger, httpClient: httpClient)
    }

    public convenience init(configuration: DiscordRESTConfiguration, token: String, clock: any HostClock = SystemClock(),
                            logger: Logger, httpClient: HTTPClient? = nil) throws(DiscordRESTError) {
        let transport = HTTPClientTransport(client: httpClient, maxResponseBytes: configuration.maxResponseBytes)
        try self.init(configuration: configuration, token: token, clock: clock, logger: logger, transport: transport)
    }

    /// Any transport (tests script one).
    package init(configuration: DiscordRESTConfiguration, token: String, clock: any HostClock, logger: Logger,
         transport: any DiscordTransport) throws(DiscordRESTError) {
        self.baseURL = try configuration.checkedBaseURL()
        self.credential = try BotCredential(token)
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        self.gate = RateLimitGate(limiter: RateLimiter(policy: configuration.limits, thresholds: configuration.invalidRequests),
                                  clock: clock)
        if configuration.isPlainTextToRemoteHost(baseURL) {
            logger.warning("Discord REST base URL \(baseURL) is plain http to another machine: the bot token travels unencrypted")
        }
    }

    /// Checks a request without sending it: the route, the JSON body, the audit-log reason.
    public func prepare(_ method: String, _ path: String, json body: [UInt8]? = nil,
                        reason: String? = nil) throws(DiscordRESTError) -> DiscordRequest {
        let route = try DiscordRoute(method, path)
        let prepared = try RequestBody.prepare(body, for: route)
        let headers = try RequestHeaders.make(hasBody: prepared.body != nil, reason: reason)
        return DiscordRequest(route: route, body: prepared.body, headers: headers, retrySafe: prepared.retrySafe,
                              sequence: gate.nextSequence())
    }

    /// Sends a request and returns Discord's answer, whatever its HTTP status. `reason` becomes the
    /// X-Audit-Log-Reason header. Throws only when no answer could be had.
    public func send(_ method: String, _ path: String, json body: [UInt8]? = nil,
                     reason: String? = nil) async throws(DiscordRESTError) -> DiscordResponse {
        try await send(try prepare(method, path, json: body, reason: reason))
    }

    /// Sends a prepared request. Requests to one endpoint and major parameter go out in the order
    /// they were prepared.
    public func send(_ request: DiscordRequest) async throws(DiscordRESTError) -> DiscordResponse {
        try await send(request, queued: nil)
    }

    /// Queues a request's first attempt right away, so that calls made one after another from
    /// synchronous code keep their order; finish it with `send(_:queued:)`.
    package func queue(_ request: DiscordRequest) -> UInt64 {
        gate.enqueue(request.route, sequence: request.sequence)
    }

    package func send(_ request: DiscordRequest, queued: UInt64?) async throws(DiscordRESTError) -> DiscordResponse {
        var queued = queued
        var rateLimitRetries = 0, failureRetries = 0
        while true {
            // A retry queues again under the same sequence number, ahead of later requests.
            let id = queued ?? gate.enqueue(request.route, sequence: request.sequence)
            queued = nil
            let ticket = try await gate.wait(id).get()
            if Task.isCancelled {
                gate.abandon(ticket)
                throw .cancelled
            }
            let failure: String
            switch await transport.execute(http(request), timeoutMs: configuration.requestTimeoutMs) {
            case .success(let response):
                let completion = gate.complete(ticket, status: response.status,
                                               info: RateLimitInfo(status: response.status, headers: response.headers, body: response.body))
                report(completion, request.route)
                if response.status == 401, !reportedUnauthorized.exchange(true, ordering: .relaxed) {
                    logger.error("Discord answered 401 Unauthorized on \(request.route.key): the bot token is wrong or was reset; update it and restart")
                }
                if completion.rateLimited, rateLimitRetries < configuration.retry.maxRateLimitRetries {
                    rateLimitRetries += 1
                    continue
                }
                guard response.status >= 500, request.retrySafe, failureRetries < configuration.retry.maxFailureRetries else {
                    return redacted(response)
                }
                failure = "Discord answered HTTP \(response.status)"
            case .failure(let error):
                gate.abandon(ticket)
                if error == .cancelled || Task.isCancelled { throw .cancelled }
                guard request.retrySafe, failureRetries < configuration.retry.maxFailureRetries else { throw redacted(error, request) }
                failure = redacted(error, request).description
            }
            failureRetries += 1
            let backoff = configuration.retry.backoffMs(retry: failureRetries)
            logger.notice("Discord \(request.route.key): \(failure); retry \(failureRetries) of \(configuration.retry.maxFailureRetries) in \(backoff) ms")
            guard await gate.sleep(ms: backoff) else { throw Task.isCancelled ? .cancelled : .shutdown }
        }
    }

    /// Invalid responses (401, 403, non-shared 429) in the last 10 minutes.
    public var invalidRequestCount: Int { gate.invalidRequestCount }

    /// See `RateLimitGate.idleUntilMs` (monotonic milliseconds of the client's clock).
    package var idleUntilMs: Int64? { gate.idleUntilMs }

    /// Fails queued requests with `.shutdown` and closes the HTTP client if this client made it.
    public func shutdown() async {
        gate.close()
        await transport.shutdown()
    }

    // MARK: private

    private func http(_ request: DiscordRequest) -> DiscordHTTPRequest {
        DiscordHTTPRequest(method: request.route.method, url: baseURL + request.route.path,
                           headers: [("Authorization", credential.authorization)] + request.headers, body: request.body)
    }

    /// Logs what operators need to see: 429s (with scope) and guard level changes.
    private func report(_ completion: RateLimiter.Completion, _ route: DiscordRoute) {
        if completion.rateLimited {
            let scope = completion.scope?.rawValue ?? "unspecified"
            let retry = completion.retryAfterMs.map { "\($0) ms" } ?? "unknown"
            if completion.isGlobal {
                logger.warning("Discord global rate limit hit on \(route.key); pausing every request for \(retry)")
            } else {
                logger.info("Discord 429 on \(route.key) (scope \(scope)); retrying after \(retry)")
            }
        }
        if let level = completion.guardLevelChanged {
            let count = gate.invalidRequestCount
            let line: Logger.Message = "Discord invalid requests (401/403/429) in the last 10 minutes: \(count); guard now \(level.description) (Discord bans at 10,000)"
            level >= .throttled ? logger.error(line) : logger.warning(line)
        }
    }

    /// Nothing leaves the client with the token in it; a transport error names the route's
    /// template rather than its path, which may hold a webhook or interaction token.
    private func redacted(_ error: DiscordRESTError, _ request: DiscordRequest) -> DiscordRESTError {
        guard case .transport(let text) = error else { return error }
        let scrubbed = credential.redact(text).replacingOccurrences(of: request.route.path, with: request.route.template)
        return .transport(scrubbed)
    }

    private func redacted(_ response: DiscordResponse) -> DiscordResponse {
        DiscordResponse(status: response.status,
                        headers: response.headers.map { (credential.redact($0.0), credential.redact($0.1)) },
                        body: credential.redact(response.body))
    }
}
