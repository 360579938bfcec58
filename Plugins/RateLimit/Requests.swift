import StrictJSON

/// The bodies of the bus services' requests (shapes documented in README.md).

/// `ratelimit.voice.check`: {"userId": "…", "guildId": "…"?}
struct VoiceCheckRequest: Decodable {
    let userId: String
    let guildId: String?

    init(from decoder: any Decoder) throws {
        let fields = try JSONFields(decoder)
        guard let user = try fields.snowflake("userId") else { throw FieldError("userId", "is required") }
        userId = String(user)
        guildId = try fields.snowflake("guildId").map { String($0) }
    }
}

/// `ratelimit.voice.track`: {"userId": "…", "guildId": "…"?, "durationMs": N}
struct VoiceTrackRequest: Decodable {
    let userId: String
    let guildId: String?
    let durationMs: Int64

    init(from decoder: any Decoder) throws {
        let fields = try JSONFields(decoder)
        guard let user = try fields.snowflake("userId") else { throw FieldError("userId", "is required") }
        guard let duration = try fields.integer("durationMs") else { throw FieldError("durationMs", "is required") }
        guard duration >= 0 else { throw FieldError("durationMs", "must be ≥ 0, got \(duration)") }
        userId = String(user)
        guildId = try fields.snowflake("guildId").map { String($0) }
        durationMs = duration
    }
}

/// Which limiter an acquisition uses: one configured by name, or one described in the request.
enum LimiterChoice: Hashable {
    case named(String)
    case inline(LimiterSpec)
}

/// `ratelimit.acquire`: {"key": "…", "limiter": "name"?, "cost": 1?}
/// or {"key": "…", "rate": N, "perSeconds": S, "burst": B?, "cost": 1?}.
struct AcquireRequest: Decodable {
    static let maxKeyBytes = 256
    static let defaultLimiter = "default"

    let key: String
    let limiter: LimiterChoice
    let cost: Int64

    init(from decoder: any Decoder) throws {
        let fields = try JSONFields(decoder)
        guard let key = try fields.string("key") else { throw FieldError("key", "is required") }
        guard !key.isEmpty, key.utf8.count <= Self.maxKeyBytes else {
            throw FieldError("key", "must be 1 to \(Self.maxKeyBytes) bytes long, got \(key.utf8.count)")
        }
        self.key = key
        cost = try fields.integer("cost") ?? 1
        guard cost >= 0 else { throw FieldError("cost", "must be ≥ 0, got \(cost)") }
        let name = try fields.string("limiter")
        if let spec = try LimiterSpec.read(from: fields, required: false) {
            guard name == nil else {
                throw FieldError("limiter", "cannot be combined with inline \"rate\"/\"perSeconds\"/\"burst\"; give one or the other")
            }
            limiter = .inline(spec)
        } else {
            limiter = .named(name ?? Self.defaultLimiter)
        }
    }
}

extension LimiterSpec {
    /// Reads {"rate": N, "perSeconds": S, "burst": B?} (burst defaults to rate). With
    /// `required: false`, an object with none of the three gives nil.
    static func read(from fields: JSONFields, required: Bool) throws(FieldError) -> LimiterSpec? {
        let rate = try fields.integer("rate")
        let seconds = try fields.number("perSeconds")
        let burst = try fields.integer("burst")
        if !required && rate == nil && seconds == nil && burst == nil { return nil }
        guard let rate else { throw FieldError("rate", "is required (requests per \"perSeconds\")") }
        guard let seconds else { throw FieldError("perSeconds", "is required (the period of \"rate\", in seconds)") }
        guard seconds.isFinite, seconds >= 0.001, seconds <= Double(maxPeriodMs / 1000) else {
            throw FieldError("perSeconds", "must be from 0.001 to \(maxPeriodMs / 1000) seconds, got \(seconds)")
        }
        return try LimiterSpec(rate: rate, periodMs: Int64((seconds * 1000).rounded()), burst: burst ?? min(rate, maxBurst))
    }
}
