import StrictJSON

/// The voice-usage rules: how much voice time a user gets per window and when idle users are dropped.
struct VoicePolicy: Equatable, Sendable {
    /// Usage is capped here; a user at the cap is refused until the window resets.
    var maxDurationMs: Int64 = 7_200_000  // 2 h
    /// A window lasts this long from its first tracked use; then usage starts again at 0.
    var resetTimeMs: Int64 = 3_600_000  // 1 h
    /// Users with no tracked use for this long are dropped by the cleanup timer.
    var cleanupThresholdMs: Int64 = 10_800_000  // 3 h
    /// How often the cleanup timer runs.
    var cleanupIntervalMs: Int64 = 600_000  // 10 min
    /// Count usage per guild (a user has one quota in each guild) instead of one quota overall.
    var perGuild = false

    /// Reads the `"voice"` object of the config; every key is optional.
    static func read(from fields: JSONFields?) throws(FieldError) -> VoicePolicy {
        var policy = VoicePolicy()
        guard let fields else { return policy }
        try fields.rejectUnknown(known: ["maxDuration", "resetTime", "cleanupThreshold", "cleanupInterval", "perGuild"])
        policy.maxDurationMs = try milliseconds(fields, "maxDuration") ?? policy.maxDurationMs
        policy.resetTimeMs = try milliseconds(fields, "resetTime") ?? policy.resetTimeMs
        policy.cleanupThresholdMs = try milliseconds(fields, "cleanupThreshold") ?? policy.cleanupThresholdMs
        policy.cleanupIntervalMs = try milliseconds(fields, "cleanupInterval") ?? policy.cleanupIntervalMs
        policy.perGuild = try fields.bool("perGuild") ?? policy.perGuild
        return policy
    }

    /// A duration in milliseconds: 1 ms to 10 years.
    private static func milliseconds(_ fields: JSONFields, _ name: String) throws(FieldError) -> Int64? {
        guard let value = try fields.integer(name) else { return nil }
        let limit: Int64 = 10 * 366 * 24 * 3_600_000
        guard (1...limit).contains(value) else {
            throw FieldError(name, "must be a number of milliseconds from 1 to \(limit), got \(value)")
        }
        return value
    }
}
