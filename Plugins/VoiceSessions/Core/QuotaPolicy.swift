import PluginSupport
import StrictJSON

/// How a session start treats the voice quota served by the RateLimit plugin on the bus
/// (`ratelimit.voice.check` before a session starts, `ratelimit.voice.track` while it runs).
public struct QuotaPolicy: Sendable, Equatable {
    /// What to do when nobody answers the quota check (RateLimit not running, or too slow).
    public enum WhenUnavailable: String, Sendable, Equatable {
        /// Refuse the session: quotas are a cost and abuse control, and a missing limiter must not
        /// silently hand out unlimited voice time. The default.
        case refuse
        /// Start the session anyway (for hosts that run no RateLimit plugin on purpose).
        case allow
    }

    public var whenUnavailable = WhenUnavailable.refuse
    /// How long to wait for RateLimit's answer.
    public var timeoutMs: Int64 = 2_000

    public init(whenUnavailable: WhenUnavailable = .refuse, timeoutMs: Int64 = 2_000) {
        self.whenUnavailable = whenUnavailable
        self.timeoutMs = timeoutMs
    }

    static func read(from fields: JSONFields) throws(FieldError) -> QuotaPolicy {
        try fields.rejectUnknown(known: ["whenUnavailable", "timeout"])
        var policy = QuotaPolicy()
        if let text = try fields.string("whenUnavailable") {
            guard let choice = WhenUnavailable(rawValue: text) else {
                throw FieldError("whenUnavailable", "must be \"refuse\" (no session without a quota answer) "
                                 + "or \"allow\" (start sessions when RateLimit is not running), got \"\(text)\"")
            }
            policy.whenUnavailable = choice
        }
        policy.timeoutMs = try VoiceSessionsConfig.milliseconds(fields, "timeout", 100...30_000) ?? policy.timeoutMs
        return policy
    }

    /// Whether a session may start, given what the quota check gave.
    public func decide(_ outcome: QuotaOutcome, nowMs: Int64) -> QuotaDecision {
        switch outcome {
        case .answered(let status) where status.allowed:
            return .allow(status)
        case .answered(let status):
            return .refuse(QuotaText.exhausted(status, nowMs: nowMs))
        case .unavailable(let why):
            switch whenUnavailable {
            case .allow:
                return .allowUnmetered(why)
            case .refuse:
                return .refuse("Voice sessions cannot start right now: the voice quota service is not answering (\(why)). "
                               + "An operator can start the ratelimit plugin, or set quota.whenUnavailable to \"allow\" "
                               + "in plugins.json to run sessions without quotas.")
            }
        }
    }
}

/// What the quota check gave.
public enum QuotaOutcome: Sendable, Equatable {
    case answered(QuotaStatus)
    /// No usable answer: nobody serves the topic, it timed out, or the reply was unreadable.
    case unavailable(String)
}

/// The decision for one session start.
public enum QuotaDecision: Sendable, Equatable {
    case allow(QuotaStatus)
    /// Allowed by `whenUnavailable: "allow"` although the quota could not be asked.
    case allowUnmetered(String)
    /// Refused, with the message for the user.
    case refuse(String)
}

/// RateLimit's reply to `ratelimit.voice.check` and `ratelimit.voice.track` (its README):
/// `{"allowed": true, "usedMs": …, "remainingMs": …, "limitMs": …, "resetsAtMs": …}`.
public struct QuotaStatus: Sendable, Equatable, Decodable {
    public let allowed: Bool
    public let usedMs: Int64
    public let remainingMs: Int64
    public let limitMs: Int64
    public let resetsAtMs: Int64

    public init(allowed: Bool, usedMs: Int64, remainingMs: Int64, limitMs: Int64, resetsAtMs: Int64) {
        self.allowed = allowed
        self.usedMs = usedMs
        self.remainingMs = remainingMs
        self.limitMs = limitMs
        self.resetsAtMs = resetsAtMs
    }
}

/// Messages about the quota, for people.
public enum QuotaText {
    public static func exhausted(_ status: QuotaStatus, nowMs: Int64) -> String {
        "You have used all \(DurationText.compact(milliseconds: status.limitMs)) of your voice time. "
            + "It resets <t:\(status.resetsAtMs / 1000):R> (in \(DurationText.compact(milliseconds: status.resetsAtMs - nowMs)))."
    }

    public static func usage(_ status: QuotaStatus, nowMs: Int64) -> String {
        "Voice time: \(DurationText.compact(milliseconds: status.usedMs)) used of \(DurationText.compact(milliseconds: status.limitMs)), "
            + "\(DurationText.compact(milliseconds: status.remainingMs)) left; resets in \(DurationText.compact(milliseconds: status.resetsAtMs - nowMs))."
    }
}
