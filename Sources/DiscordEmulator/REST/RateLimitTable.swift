/// Per-route limits. Discord does not publish them and says never to hard-code them; these are
/// the values its headers commonly show, so a client that obeys the headers behaves correctly.
struct RoutePolicy: Sendable, Equatable {
    /// The opaque `X-RateLimit-Bucket` value; routes sharing one share a window per major parameter.
    var bucket: String
    var limit: Int
    var windowMs: Int64
}

enum RateLimitTable {
    /// Requests per second per token across all routes (interaction endpoints exempt).
    static let globalLimitPerSecond = 50
    /// 401, 403 and non-shared 429 answers tolerated per window before Cloudflare would ban.
    static let invalidRequestWindowMs: Int64 = 10 * 60 * 1000

    static func policy(method: String, route: Route) -> RoutePolicy? {
        switch (method, route) {
        case ("GET", .channel): RoutePolicy(bucket: "3a7e4c8f0b1d2e6a9c5f8b7d4e2a1c03", limit: 5, windowMs: 5_000)
        case ("GET", .channelMessages), ("GET", .channelMessage):
            RoutePolicy(bucket: "80c17d2f203122d936070c88c8d10f33", limit: 5, windowMs: 5_000)
        case ("POST", .channelMessages): RoutePolicy(bucket: "b5c3e0a8f2d94e1c7a6b9d8e0f1a2b3c", limit: 5, windowMs: 5_000)
        case ("PATCH", .channelMessage): RoutePolicy(bucket: "d2f1e7c5a9b84306e1f2a3b4c5d6e7f8", limit: 5, windowMs: 5_000)
        case ("DELETE", .channelMessage): RoutePolicy(bucket: "f9e8d7c6b5a4938271605f4e3d2c1b0a", limit: 5, windowMs: 5_000)
        case ("GET", .globalCommands), ("GET", .guildCommands):
            RoutePolicy(bucket: "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f", limit: 5, windowMs: 20_000)
        case ("PUT", .globalCommands), ("PUT", .guildCommands):
            RoutePolicy(bucket: "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d", limit: 5, windowMs: 20_000)
        case ("POST", .webhook), (_, .webhookMessage):
            RoutePolicy(bucket: "e0d1c2b3a4958677f8e9dacbbcad9e8f", limit: 5, windowMs: 2_000)
        default: nil
        }
    }
}
