/// The answer to one acquisition.
struct LimitDecision: Equatable, Sendable {
    let allowed: Bool
    /// Further units that could be taken right now (after this one, when allowed).
    let remaining: Int64
    /// When denied: the wait until the same request would be allowed (0 when allowed).
    let retryAfterMs: Int64
    /// The wait until the key is back to its full burst.
    let resetAfterMs: Int64
}

/// GCRA (generic cell rate algorithm) over many keys: per key one Int64, the theoretical arrival
/// time (TAT). A request of cost n is allowed when `max(TAT, now) + n·T ≤ now + burst·T`, where T
/// is the emission interval. That is exact (no token refill drift) and O(1) per call.
///
/// Time is counted in units of 1/rate ms relative to `epochMs`, so T is exactly `periodMs` units
/// (5 per 60 s: T = 60 000 units of 0.2 ms) and all arithmetic is on integers.
///
/// A key whose TAT is not in the future is at its full burst and holds no information: `sweep`
/// drops such keys, so memory follows the number of recently active keys only.
final class KeyedLimiter {
    let spec: LimiterSpec
    private let epochMs: Int64
    private var tats: [String: Int64] = [:]

    /// Host times further than this from the epoch (±139 years) are clamped, which keeps
    /// `elapsed × rate` far from overflowing.
    private static let maxElapsedMs: Int64 = 1 << 42

    init(spec: LimiterSpec, epochMs: Int64) {
        self.spec = spec
        self.epochMs = epochMs
    }

    /// Keys currently tracked.
    var count: Int { tats.count }

    /// Takes `cost` units for `key` if the limiter allows it. Cost 0 only asks.
    /// The caller ensures `0 ≤ cost ≤ burst`.
    func acquire(_ key: String, cost: Int64, nowMs: Int64) -> LimitDecision {
        let now = units(nowMs)
        let interval = spec.periodMs
        let index = tats.index(forKey: key)
        let tat = max(index.map { tats.values[$0] } ?? now, now)
        let limit = now + spec.burst * interval
        let next = tat + cost * interval
        guard next <= limit else {
            return LimitDecision(allowed: false, remaining: (limit - tat) / interval,
                                 retryAfterMs: milliseconds(next - limit), resetAfterMs: milliseconds(tat - now))
        }
        if cost > 0 {
            if let index { tats.values[index] = next } else { tats[key] = next }
        }
        return LimitDecision(allowed: true, remaining: (limit - next) / interval,
                             retryAfterMs: 0, resetAfterMs: milliseconds(next - now))
    }

    /// Drops every key that is back to its full burst; returns how many.
    @discardableResult
    func sweep(nowMs: Int64) -> Int {
        let now = units(nowMs)
        let before = tats.count
        // Collecting first keeps the dictionary's storage (no full copy as `filter` would make).
        var idle: [String] = []
        for (key, tat) in tats where tat <= now { idle.append(key) }
        for key in idle { tats[key] = nil }
        shrinkIfSparse()
        return before - tats.count
    }

    /// A dictionary never gives buckets back on removal: after a burst of keys has gone idle,
    /// rebuild it at its present size so the memory returns too.
    private func shrinkIfSparse() {
        guard tats.capacity > 1024, tats.count < tats.capacity / 8 else { return }
        var compact = [String: Int64](minimumCapacity: tats.count * 2)
        for (key, tat) in tats { compact[key] = tat }
        tats = compact
    }

    /// Host milliseconds → limiter units (1/rate ms since the epoch).
    private func units(_ nowMs: Int64) -> Int64 {
        let elapsed = min(max(nowMs - epochMs, -Self.maxElapsedMs), Self.maxElapsedMs)
        return elapsed * spec.rate
    }

    /// Limiter units → whole milliseconds, rounded up so that waiting that long is always enough.
    private func milliseconds(_ units: Int64) -> Int64 {
        units <= 0 ? 0 : (units + spec.rate - 1) / spec.rate
    }
}
