import BotHostCore

/// `GET /gateway/bot`: where to connect, how many shards Discord recommends, and how many
/// sessions the bot may still start today.
public struct GatewayBotInfo: Sendable, Equatable {
    public var url: String
    public var shards: Int
    public var sessionStartLimit: SessionStartLimit

    public init(url: String, shards: Int, sessionStartLimit: SessionStartLimit) {
        self.url = url
        self.shards = shards
        self.sessionStartLimit = sessionStartLimit
    }

    /// Decodes the response body of `GET /gateway/bot`.
    public init(json: [UInt8]) throws(GatewayError) {
        let value: JSONValue
        do { value = try JSONValue.parse(json) } catch {
            throw .invalidConfiguration("GET /gateway/bot returned invalid JSON (\(error))")
        }
        // Integers, but tolerate a float such as `reset_after: 1234.0`.
        func integer(_ v: JSONValue?) -> Int? {
            guard let number = v?.numberValue else { return nil }
            if let exact = number.int64 { return Int(clamping: exact) }
            let d = number.double
            return d.isFinite && abs(d) < 9e15 ? Int(d) : nil
        }
        guard let url = value["url"]?.stringValue,
              let shards = integer(value["shards"]),
              let limit = value["session_start_limit"],
              let total = integer(limit["total"]),
              let remaining = integer(limit["remaining"]),
              let resetAfter = integer(limit["reset_after"])
        else {
            throw .invalidConfiguration("GET /gateway/bot lacks url, shards or session_start_limit {total, remaining, reset_after}")
        }
        let concurrency = integer(limit["max_concurrency"]) ?? 1
        self.init(url: url, shards: shards, sessionStartLimit: SessionStartLimit(
            total: total, remaining: remaining, resetAfterMs: resetAfter, maxConcurrency: concurrency))
    }
}

/// How many identifies the bot has left before Discord resets its daily allowance.
public struct SessionStartLimit: Sendable, Equatable {
    public var total: Int
    public var remaining: Int
    /// Milliseconds until `remaining` is reset to `total`.
    public var resetAfterMs: Int
    /// How many shards may identify in the same 5-second window.
    public var maxConcurrency: Int

    public init(total: Int, remaining: Int, resetAfterMs: Int, maxConcurrency: Int) {
        self.total = total
        self.remaining = remaining
        self.resetAfterMs = resetAfterMs
        self.maxConcurrency = maxConcurrency
    }
}
