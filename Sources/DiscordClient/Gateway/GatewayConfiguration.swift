/// How the host connects to Discord's gateway. Defaults follow Discord's documented limits; tests
/// shorten the delays.
public struct GatewayConfiguration: Sendable {
    /// The environment variable that points the gateway elsewhere (the emulator, a proxy).
    public static let urlOverrideEnvironmentKey = "DISCORD_GATEWAY_URL"

    public var token: String
    /// The union of the intents the enabled plugins declared.
    public var intents: UInt64
    /// nil uses the shard count `GET /gateway/bot` recommends.
    public var shardCount: Int?
    /// `compress=zlib-stream` transport compression; off means plain JSON text frames.
    public var compress: Bool
    /// 50–250: member count above which a guild's offline members are left out.
    public var largeThreshold: Int
    /// Connect here instead of the URL `GET /gateway/bot` returns.
    public var urlOverride: String?
    /// Identify's `presence`, as raw JSON (an update-presence object), or nil.
    public var presence: [UInt8]?
    /// Shards that share a rate-limit key (`shard_id % max_concurrency`) identify this far apart.
    public var identifyBucketSpacing: Duration
    /// Reconnect delays double from the base up to the cap, with jitter.
    public var reconnectBaseDelay: Duration
    public var reconnectMaxDelay: Duration
    /// Wait before identifying again after a non-resumable Invalid Session (Discord: 1–5 s).
    public var invalidSessionDelay: ClosedRange<Duration>
    /// A connection that has not said Hello by then is dropped and retried.
    public var helloTimeout: Duration
    public var connectTimeout: Duration
    /// Payloads per shard per 60 s that `send` may use; the rest of Discord's 120 stays free for
    /// heartbeats, identify and resume.
    public var sendsPerMinute: Int
    /// The largest (inflated) gateway message accepted.
    public var maxMessageBytes: Int

    public init(
        token: String,
        intents: UInt64,
        shardCount: Int? = nil,
        compress: Bool = true,
        largeThreshold: Int = 50,
        urlOverride: String? = nil,
        presence: [UInt8]? = nil,
        identifyBucketSpacing: Duration = .seconds(5),
        reconnectBaseDelay: Duration = .seconds(1),
        reconnectMaxDelay: Duration = .seconds(60),
        invalidSessionDelay: ClosedRange<Duration> = .seconds(1) ... .seconds(5),
        helloTimeout: Duration = .seconds(20),
        connectTimeout: Duration = .seconds(10),
        sendsPerMinute: Int = 110,
        maxMessageBytes: Int = 64 << 20
    ) {
        self.token = token
        self.intents = intents
        self.shardCount = shardCount
        self.compress = compress
        self.largeThreshold = largeThreshold
        self.urlOverride = urlOverride
        self.presence = presence
        self.identifyBucketSpacing = identifyBucketSpacing
        self.reconnectBaseDelay = reconnectBaseDelay
        self.reconnectMaxDelay = reconnectMaxDelay
        self.invalidSessionDelay = invalidSessionDelay
        self.helloTimeout = helloTimeout
        self.connectTimeout = connectTimeout
        self.sendsPerMinute = sendsPerMinute
        self.maxMessageBytes = maxMessageBytes
    }

    /// The problems that would make Discord refuse this configuration, before anything connects.
    package func validate() throws(GatewayError) {
        if token.isEmpty { throw .invalidConfiguration("the bot token is empty") }
        if let shardCount, shardCount < 1 { throw .invalidConfiguration("shardCount must be at least 1 (got \(shardCount))") }
        if !(50...250).contains(largeThreshold) { throw .invalidConfiguration("largeThreshold must be 50–250 (got \(largeThreshold))") }
        if !(1...(SendBudget.discordLimit - 4)).contains(sendsPerMinute) {
            throw .invalidConfiguration("sendsPerMinute must be 1–\(SendBudget.discordLimit - 4) so heartbeats keep room (got \(sendsPerMinute))")
        }
        if let presence, !GatewayFields.isSingleValue(presence) { throw .invalidConfiguration("presence is not valid JSON") }
        if maxMessageBytes < 4096 { throw .invalidConfiguration("maxMessageBytes must be at least 4096") }
    }
}

// The token never shows up when a configuration is printed, dumped or logged.
extension GatewayConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "GatewayConfiguration(token: <redacted>, intents: \(intents), shardCount: \(shardCount.map(String.init) ?? "auto"), compress: \(compress), urlOverride: \(urlOverride ?? "none"))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        // The same words as `description` for the optionals, so a dump reads like a print.
        Mirror(self, children: ["token": "<redacted>", "intents": intents, "shardCount": shardCount.map(String.init) ?? "auto",
                                "compress": compress, "urlOverride": urlOverride ?? "none"], displayStyle: .struct)
    }
}
