import StrictJSON

/// One user's voice usage in the current window.
struct VoiceUsage: Codable, Equatable, Sendable {
    /// Tracked voice time in the window, capped at the policy's maximum.
    var usedMs: Int64
    /// When the window began (its first tracked use); it resets `resetTime` later.
    var windowStartMs: Int64
    /// The latest tracked use; idle users are dropped after `cleanupThreshold`.
    var lastActiveMs: Int64
}

/// What a check or a track answers.
struct VoiceStatus: Equatable, Sendable {
    let allowed: Bool
    let usedMs: Int64
    let remainingMs: Int64
    let limitMs: Int64
    /// When usage next returns to 0. For a user with no open window: now + resetTime, the reset time
    /// of a window that would start now.
    let resetsAtMs: Int64
}

/// Voice usage per user (or per guild and user), following `VoicePolicy`. Pure bookkeeping on the
/// host clock's readings; persistence is the caller's (see `VoiceStore`).
///
/// A window resets lazily: `status` reports an elapsed window as fresh without changing anything,
/// and the next `track` starts a new window.
struct VoiceLedger {
    /// Replaced live by a config edit: the next check or track counts against the new numbers.
    var policy: VoicePolicy
    private(set) var entries: [String: VoiceUsage] = [:]

    init(policy: VoicePolicy) {
        self.policy = policy
    }

    /// The ledger key: the user, or guild and user when usage is counted per guild.
    func key(userId: String, guildId: String?) throws(FieldError) -> String {
        guard policy.perGuild else { return userId }
        guard let guildId else { throw FieldError("guildId", "is required: voice usage is counted per guild (voice.perGuild)") }
        return "\(guildId):\(userId)"
    }

    func status(of key: String, nowMs: Int64) -> VoiceStatus {
        status(of: current(key, nowMs: nowMs), nowMs: nowMs)
    }

    /// Adds `durationMs` of voice time (capped) and returns the new status and the record to persist.
    mutating func track(_ key: String, durationMs: Int64, nowMs: Int64) -> (VoiceStatus, VoiceUsage) {
        var usage = current(key, nowMs: nowMs) ?? VoiceUsage(usedMs: 0, windowStartMs: nowMs, lastActiveMs: nowMs)
        usage.usedMs = min(policy.maxDurationMs, usage.usedMs + min(max(durationMs, 0), policy.maxDurationMs))
        usage.lastActiveMs = max(usage.lastActiveMs, nowMs)
        entries[key] = usage
        return (status(of: usage, nowMs: nowMs), usage)
    }

    /// Puts back a record read from storage.
    mutating func restore(_ key: String, _ usage: VoiceUsage) {
        entries[key] = usage
    }

    /// Forgets `key` (an administrator's reset); returns what it had.
    mutating func reset(_ key: String) -> VoiceUsage? {
        entries.removeValue(forKey: key)
    }

    /// Keys that match `userId` in any guild (for resets when usage is counted per guild).
    func keys(ofUser userId: String) -> [String] {
        entries.keys.filter { $0 == userId || $0.hasSuffix(":" + userId) }
    }

    /// Drops users idle for longer than `cleanupThreshold` whose window has ended too — so a cleanup
    /// never hands out a fresh quota early, whatever the two durations are. Returns the dropped keys.
    mutating func cleanup(nowMs: Int64) -> [String] {
        let stale = entries.filter { _, usage in
            nowMs - usage.lastActiveMs > policy.cleanupThresholdMs && windowEnded(usage, nowMs: nowMs)
        }.map(\.key)
        for key in stale { entries[key] = nil }
        return stale
    }

    /// The record with its window applied: nil when absent or when its window has ended.
    private func current(_ key: String, nowMs: Int64) -> VoiceUsage? {
        guard let usage = entries[key], !windowEnded(usage, nowMs: nowMs) else { return nil }
        return usage
    }

    private func windowEnded(_ usage: VoiceUsage, nowMs: Int64) -> Bool {
        nowMs - usage.windowStartMs >= policy.resetTimeMs
    }

    private func status(of usage: VoiceUsage?, nowMs: Int64) -> VoiceStatus {
        let used = usage?.usedMs ?? 0
        return VoiceStatus(allowed: used < policy.maxDurationMs, usedMs: used,
                           remainingMs: max(0, policy.maxDurationMs - used), limitMs: policy.maxDurationMs,
                           resetsAtMs: (usage?.windowStartMs ?? nowMs) + policy.resetTimeMs)
    }
}
