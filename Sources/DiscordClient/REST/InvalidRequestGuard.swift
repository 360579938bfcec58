/// Thresholds of the invalid-request guard, counted over a sliding 10-minute window.
///
/// Discord bans an IP (Cloudflare, for about an hour) after 10,000 responses with status 401, 403 or
/// 429 in 10 minutes; 429s with X-RateLimit-Scope `shared` do not count. A bot that gets there is
/// usually looping on a bad token, a missing permission or a deleted channel, so the host slows
/// everything down long before:
///
/// | invalid responses in 10 min | effect |
/// |---|---|
/// | ≥ `warnAt` (1,000) | a warning in the log, once per crossing |
/// | ≥ `throttleFrom` (2,500) | every request waits for a gap after the previous one, growing linearly from 100 ms to 1 s at `refuseFrom` |
/// | ≥ `refuseFrom` (5,000) | non-essential requests are refused (`refusedByGuard`); essential ones (interaction responses, GET /gateway/bot) go at most one per second |
///
/// The counts fall as the window slides on, and the restrictions lift by themselves.
public struct InvalidRequestThresholds: Sendable, Equatable {
    public var warnAt: Int
    public var throttleFrom: Int
    public var refuseFrom: Int
    public var windowMs: Int64
    /// The gap between requests at `throttleFrom` and from `refuseFrom` on.
    public var minSpacingMs: Int64
    public var maxSpacingMs: Int64

    public init(warnAt: Int = 1000, throttleFrom: Int = 2500, refuseFrom: Int = 5000, windowMs: Int64 = 600_000,
                minSpacingMs: Int64 = 100, maxSpacingMs: Int64 = 1000) {
        self.warnAt = max(1, warnAt)
        self.throttleFrom = max(self.warnAt, throttleFrom)
        self.refuseFrom = max(self.throttleFrom + 1, refuseFrom)
        self.windowMs = max(1000, windowMs)
        self.minSpacingMs = max(0, minSpacingMs)
        self.maxSpacingMs = max(self.minSpacingMs, maxSpacingMs)
    }

    public static let standard = InvalidRequestThresholds()
}

/// Counts invalid responses in a sliding window (per-second slots, so memory stays small however
/// many there are) and says how hard to brake.
package struct InvalidRequestGuard: Sendable {
    package enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case normal, warning, throttled, refusing
        package static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        package var description: String {
            switch self {
            case .normal: "normal"
            case .warning: "warning"
            case .throttled: "throttling"
            case .refusing: "refusing non-essential requests"
            }
        }
    }

    package let thresholds: InvalidRequestThresholds
    private var slots: [(second: Int64, count: Int)] = []
    private var head = 0
    private var total = 0

    package init(thresholds: InvalidRequestThresholds) { self.thresholds = thresholds }

    /// Counts one invalid response at `nowMs`.
    package mutating func record(nowMs: Int64) {
        let second = nowMs / 1000
        expire(nowMs: nowMs)
        if slots.count > head, let last = slots.last, last.second == second {
            slots[slots.count - 1].count += 1
        } else {
            slots.append((second, 1))
        }
        total += 1
    }

    /// Invalid responses within the window ending at `nowMs`.
    package mutating func count(nowMs: Int64) -> Int {
        expire(nowMs: nowMs)
        return total
    }

    package mutating func level(nowMs: Int64) -> Level {
        let count = count(nowMs: nowMs)
        if count >= thresholds.refuseFrom { return .refusing }
        if count >= thresholds.throttleFrom { return .throttled }
        if count >= thresholds.warnAt { return .warning }
        return .normal
    }

    /// The gap every request must keep from the one before it (0 below `throttleFrom`).
    package mutating func spacingMs(nowMs: Int64) -> Int64 {
        let count = count(nowMs: nowMs)
        guard count >= thresholds.throttleFrom else { return 0 }
        guard count < thresholds.refuseFrom else { return thresholds.maxSpacingMs }
        let span = Int64(thresholds.refuseFrom - thresholds.throttleFrom)
        let into = Int64(count - thresholds.throttleFrom)
        return thresholds.minSpacingMs + (thresholds.maxSpacingMs - thresholds.minSpacingMs) * into / span
    }

    private mutating func expire(nowMs: Int64) {
        // A slot leaves only once all of its second is older than the window: never under-count.
        let oldest = (nowMs - thresholds.windowMs) / 1000 - 1
        while head < slots.count, slots[head].second <= oldest {
            total -= slots[head].count
            head += 1
        }
        if head > 64, head * 2 > slots.count {
            slots.removeFirst(head)
            head = 0
        }
    }
}
