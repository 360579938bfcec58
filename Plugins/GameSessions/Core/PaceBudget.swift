/// A sliding window of Discord calls for one channel: at most `calls` in any `windowMs`.
///
/// The host's REST limiter already queues requests per route bucket; pacing here as well keeps
/// the plugin's own queue in front of that one, where renders can still be coalesced: a session
/// that changes while it waits is sent once, with its latest look, instead of once per change.
public struct PaceBudget: Sendable {
    public struct Limit: Sendable, Equatable {
        public var calls: Int
        public var windowMs: Int64

        public init(calls: Int, windowMs: Int64) {
            self.calls = max(1, calls)
            self.windowMs = max(1, windowMs)
        }
    }

    public let limit: Limit
    /// When the calls in the current window were made, oldest first.
    private var recent: [Int64] = []

    public init(_ limit: Limit) {
        self.limit = limit
    }

    /// How long to wait before the next call may go out (0: now).
    public func waitMs(nowMs: Int64) -> Int64 {
        guard recent.count >= limit.calls, let oldest = recent.first else { return 0 }
        return max(0, oldest + limit.windowMs - nowMs)
    }

    /// Records a call made now; the caller checked `waitMs` first.
    public mutating func spend(nowMs: Int64) {
        recent.removeAll { nowMs - $0 >= limit.windowMs }
        recent.append(nowMs)
        if recent.count > limit.calls { recent.removeFirst(recent.count - limit.calls) }
    }
}
