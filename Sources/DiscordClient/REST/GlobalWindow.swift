/// The global limit as a sliding window: at most `limit` sends in any `windowMs`.
///
/// A sliding window is stricter than any fixed one-second window the server may use, so a burst
/// that respects it never trips the global limit whatever the server's window alignment.
package struct GlobalWindow: Sendable {
    package let limit: Int
    package let windowMs: Int64
    /// The times of the last `limit` sends, oldest at `next` once the ring is full.
    private var ring: [Int64] = []
    private var next = 0

    package init(limit: Int, windowMs: Int64) {
        self.limit = max(1, limit)
        self.windowMs = windowMs
    }

    /// The earliest time another send may go: `nowMs` or later.
    package func earliest(nowMs: Int64) -> Int64 {
        guard ring.count == limit else { return nowMs }
        return max(nowMs, ring[next] + windowMs)
    }

    package mutating func record(nowMs: Int64) {
        if ring.count < limit {
            ring.append(nowMs)
        } else {
            ring[next] = nowMs
            next = (next + 1) % limit
        }
    }
}
