/// The REST pipeline every request goes through: route, authentication, injected faults, the
/// global limit, the route's bucket, the handler; then invalid-request accounting and recording.
final class RESTService: Sendable {
    let env: EmulatorEnvironment
    let world: Locked<World>
    let hub: GatewayHub
    let rateLimiter = RateLimiter()
    let faults = RESTFaultQueue()

    init(env: EmulatorEnvironment, world: Locked<World>, hub: GatewayHub) {
        self.env = env
        self.world = world
        self.hub = hub
    }

    func handle(_ request: RESTRequest) -> RESTResponse {
        let now = env.clock.nowMs()
        let response = respond(request, nowMs: now)
        rateLimiter.noteAnswer(status: response.status, scope: response.headers.first { $0.name == "X-RateLimit-Scope" }?.value, nowMs: now)
        env.recorder.record(RecordedRequest(
            method: request.method, path: request.target, headers: request.headers, body: request.body,
            status: response.status, responseHeaders: response.headers, responseBody: response.body, timeMs: now))
        return response
    }

    private func respond(_ request: RESTRequest, nowMs: Int64) -> RESTResponse {
        guard let route = Route.match(path: request.path) else { return DiscordErrors.notFound }
        guard route.methods.contains(request.method) else { return DiscordErrors.methodNotAllowed }
        if route.needsBotToken, request.header("Authorization") != "Bot \(env.configuration.token)" {
            return DiscordErrors.unauthorized
        }
        if let fault = faults.take(method: request.method, path: request.path) {
            env.recorder.record(RecordedFault(description: "REST \(fault) answered \(request.method) \(request.path)", affected: 1, timeMs: nowMs))
            return RESTFaultQueue.response(for: fault)
        }
        if !route.exemptFromGlobalLimit, let limited = rateLimiter.takeGlobal(nowMs: nowMs) { return limited }
        var limitHeaders: [(name: String, value: String)] = []
        if let policy = RateLimitTable.policy(method: request.method, route: route) {
            switch rateLimiter.take(policy, major: route.majorParameter, nowMs: nowMs) {
            case .limited(let response): return response
            case .allowed(let headers): limitHeaders = headers
            }
        }
        let response: RESTResponse
        do {
            response = try answer(route, request, nowMs: nowMs)
        } catch {
            response = error
        }
        return response.adding(limitHeaders)
    }

    private func answer(_ route: Route, _ request: RESTRequest, nowMs: Int64) throws(RESTResponse) -> RESTResponse {
        switch (request.method, route) {
        case ("GET", .gateway): return getGateway()
        case ("GET", .gatewayBot): return getGatewayBot(nowMs: nowMs)
        case ("GET", .currentUser): return .json(UserPayloads.currentUser(env.topology.botUser))
        case ("GET", .currentApplication): return getCurrentApplication()
        case ("GET", .channel(let channelID)): return try getChannel(channelID)
        case ("GET", .channelMessages(let channelID)): return try listMessages(channelID, request)
        case ("POST", .channelMessages(let channelID)): return try createMessage(channelID, request, nowMs: nowMs)
        case ("GET", .channelMessage(let channelID, let messageID)): return try getMessage(channelID, messageID)
        case ("PATCH", .channelMessage(let channelID, let messageID)): return try editMessage(channelID, messageID, request, nowMs: nowMs)
        case ("DELETE", .channelMessage(let channelID, let messageID)): return try deleteMessage(channelID, messageID)
        case ("GET", .globalCommands(let application)): return try listCommands(application, guildID: nil)
        case ("PUT", .globalCommands(let application)): return try overwriteCommands(application, guildID: nil, request)
        case ("GET", .guildCommands(let application, let guild)): return try listCommands(application, guildID: guild)
        case ("PUT", .guildCommands(let application, let guild)): return try overwriteCommands(application, guildID: guild, request)
        case ("POST", .interactionCallback(let id, let token)): return interactionCallback(id, token, request, nowMs: nowMs)
        case ("POST", .webhook(let application, let token)): return createFollowUp(application, token, request, nowMs: nowMs)
        case (let method, .webhookMessage(let application, let token, let message)):
            return webhookMessage(method, application, token, message, request, nowMs: nowMs)
        default: return DiscordErrors.methodNotAllowed
        }
    }

    var invalidRequestCount: Int { rateLimiter.invalidRequestCount(nowMs: env.clock.nowMs()) }
}
