import BotHostCore

/// READY as the host uses it, decoded once by the shard that receives it and handed to each part
/// that needs something from it: the shard (resuming), voice (the bot's user id, the shard count),
/// the connection (the application id, for command sync and interaction webhooks).
///
/// One pass over the top level: READY can be megabytes of guilds, which are skipped, not built.
/// Each field is nil when absent or unusable, and each consumer decides what it cannot do without.
public struct ReadyEvent: Sendable, Equatable {
    /// What a resume presents; an empty one counts as absent.
    public var sessionID: String?
    /// Where a resume connects (`resume_gateway_url`).
    public var resumeURL: String?
    /// The bot's own user (`user.id`).
    public var userID: UInt64?
    /// `application.id`.
    public var applicationID: UInt64?
    /// The count from `shard: [id, count]`.
    public var shardCount: Int?

    public init(sessionID: String? = nil, resumeURL: String? = nil, userID: UInt64? = nil,
                applicationID: UInt64? = nil, shardCount: Int? = nil) {
        self.sessionID = sessionID
        self.resumeURL = resumeURL
        self.userID = userID
        self.applicationID = applicationID
        self.shardCount = shardCount
    }

    /// Throws only when `data` is not a JSON object; a member of the wrong shape is left nil.
    package static func decode(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> ReadyEvent {
        var ready = ReadyEvent()
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            switch key {
            case "session_id": ready.sessionID = try Self.optional(&s) { (v) throws(JSONScanError) in try v.readString() }
            case "resume_gateway_url": ready.resumeURL = try Self.optional(&s) { (v) throws(JSONScanError) in try v.readString() }
            case "user": ready.userID = try Self.id(&s)
            case "application": ready.applicationID = try Self.id(&s)
            case "shard":
                let values = try Self.optional(&s) { (v) throws(JSONScanError) in
                    var values: [Int] = []
                    try v.scanArray { (_, element) throws(JSONScanError) in values.append(try element.readInteger()) }
                    return values
                }
                if let values, values.count == 2, values[1] >= 1 { ready.shardCount = values[1] }
            default: try s.skipValue()
            }
        }
        if ready.sessionID?.isEmpty == true { ready.sessionID = nil }
        return ready
    }

    /// The `id` of the object at the scanner (other members skipped).
    private static func id(_ s: inout JSONScanner) throws(JSONScanError) -> UInt64? {
        let found = try optional(&s) { (object) throws(JSONScanError) -> UInt64? in
            var id: UInt64?
            try object.scanObject { (field, v) throws(JSONScanError) in
                if field == "id" { id = try optional(&v) { (value) throws(JSONScanError) in try value.readSnowflake() } } else { try v.skipValue() }
            }
            return id
        }
        return found ?? nil
    }

    /// `read` applied to the value at the scanner; when the value has another shape, it is
    /// skipped and the result is nil. Only a grammar error throws.
    private static func optional<T>(_ s: inout JSONScanner, _ read: (inout JSONScanner) throws(JSONScanError) -> T) throws(JSONScanError) -> T? {
        var attempt = s
        if let value = try? read(&attempt) {
            s = attempt
            return value
        }
        try s.skipValue()
        return nil
    }
}
