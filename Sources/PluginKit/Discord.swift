/// Discord's REST API as the bot, through the host (its token, its rate limiter; the plugin never
/// sees the token). Needs a host with ABI minor 1 and a Discord connection; check `isAvailable`.
///
///     let response = try await host.discord.request("POST", "/channels/\(id)/messages", json: ["content": "hi"])
///     let message = try response.decode(Message.self)
public struct Discord: Sendable {
    let host: PluginHost

    /// Whether this host offers Discord REST calls at all (a host without a Discord connection has
    /// the call but answers `.unsupported`).
    public var isAvailable: Bool { host.table.has(\.discord_request) }

    /// Sends a request with a raw JSON body (nil: none). Returns Discord's answer whatever its HTTP
    /// status; throws `PluginError` only when no answer came (`.timeout`, `.io`, `.cancelled`, or
    /// `.invalidArgument` for a malformed path or body). Cancelling the Task cancels the call.
    nonisolated(nonsending) public func request(_ method: String, _ path: String, json body: [UInt8]? = nil,
                        reason: String? = nil) async throws -> DiscordAPIResponse {
        try await send(method, path, body: body, reason: reason)
    }

    /// Sends `body` encoded as JSON (a `RawJSON` is sent as is, and so are bytes: a `[UInt8]` that
    /// lands here is taken as JSON text, never encoded as an array of numbers).
    nonisolated(nonsending) public func request<Body: Encodable>(_ method: String, _ path: String, json body: Body,
                                         reason: String? = nil) async throws -> DiscordAPIResponse {
        // Not `request(json: [UInt8]?)`: an Optional is Encodable too, so that call would pick this
        // overload again and never end.
        try await send(method, path, body: try (body as? [UInt8]) ?? JSON.encode(body), reason: reason)
    }

    nonisolated(nonsending) private func send(_ method: String, _ path: String, body: [UInt8]?, reason: String?) async throws -> DiscordAPIResponse {
        let discordRequest = try host.table.require(\.discord_request, "discord_request (Discord REST, ABI 1.1)")
        let host = self.host
        return try await PendingCall<DiscordAPIResponse>.run(host: host) { call in
            try host.register(PendingBox(host: host, call: call), "Discord \(method) \(path)") { userData, handle in
                withStr(method) { method in
                    withStr(path) { path in
                        withBytes(body ?? []) { body in
                            withStr(reason ?? "") { reason in
                                discordRequest(host.plugin, method, path, body, reason, answerArrived, userData,
                                               releaseCallbackBox, handle)
                            }
                        }
                    }
                }
            }.handle
        }
    }
}

/// Discord's answer: the HTTP status and the body (the object, or Discord's error JSON).
public struct DiscordAPIResponse: Sendable {
    public let status: Int
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Decodes the body. For an error status, decode `DiscordAPIError` instead (or use `error`).
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decode(T.self, from: body, what: "Discord response (HTTP \(status))")
    }

    /// Discord's error object when the status is not 2xx and the body is one.
    public var error: DiscordAPIError? {
        guard !isSuccess else { return nil }
        return try? JSON.decode(DiscordAPIError.self, from: body, what: "Discord error")
    }
}

/// The top of Discord's error JSON, `{"code": 50013, "message": "Missing Permissions", …}`; the
/// nested `errors` detail (shaped like the request) is in the response's `body`.
public struct DiscordAPIError: Decodable, Sendable {
    public let code: Int
    public let message: String
}

private func answerArrived(_ userData: UnsafeMutableRawPointer?, _ request: bothost_handle, _ status: bothost_status,
                           _ httpStatus: UInt32, _ body: bothost_bytes) {
    guard let box = PendingBox<DiscordAPIResponse>.from(userData) else { return }
    let bytes = Array(body)
    let result: Result<DiscordAPIResponse, any Error>
    if status == StatusCode.ok.rawValue {
        result = .success(DiscordAPIResponse(status: Int(httpStatus), body: bytes))
    } else {
        let code = StatusCode(rawValue: status)
        let detail = JSON.errorText(bytes) ?? ""
        result = .failure(PluginError(code, detail.isEmpty ? "Discord request failed with \(code)" : detail))
    }
    box.host.enter { box.call.finish(result) }
}
