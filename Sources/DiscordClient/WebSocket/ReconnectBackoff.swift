/// Delays between reconnect attempts: exponential from `base` up to `cap`, with jitter so shards
/// (and hosts) that lost Discord at the same moment do not come back in lockstep. Each delay is
/// drawn from the upper half of its step, so even the luckiest draw keeps growing: no storm.
package struct ReconnectBackoff {
    package let base: Duration
    package let cap: Duration
    package private(set) var attempts = 0

    package init(base: Duration, cap: Duration) {
        self.base = max(base, .zero)
        self.cap = max(cap, self.base)
    }

    /// The delay before the next attempt; `random` is in [0, 1).
    package mutating func next(random: Double) -> Duration {
        let step = ceiling(attempt: attempts)
        attempts += 1
        let fraction = 0.5 + 0.5 * min(max(random, 0), 1)
        return step * fraction
    }

    /// The un-jittered delay of attempt `n` (0-based): base · 2ⁿ, capped.
    package func ceiling(attempt n: Int) -> Duration {
        var step = base
        for _ in 0..<min(n, 62) {
            step = step * 2
            if step >= cap { return cap }
        }
        return min(step, cap)
    }

    /// A healthy session earns a fresh start.
    package mutating func reset() { attempts = 0 }
}
