import StrictJSON

/// A limiter's shape: `rate` requests per `periodMs`, up to `burst` of them at once.
///
/// The bounds keep every GCRA sum inside Int64 (see `KeyedLimiter`): time is counted in units of
/// 1/rate ms, so the emission interval is exactly `periodMs` units and no rounding ever happens.
struct LimiterSpec: Hashable, Sendable, CustomStringConvertible {
    let rate: Int64
    let periodMs: Int64
    let burst: Int64

    static let maxRate: Int64 = 1_000_000
    static let maxBurst: Int64 = 1_000_000
    static let maxPeriodMs: Int64 = 366 * 24 * 3_600_000

    /// Checks the bounds; the problem names the offending field (`rate`, `perSeconds`, `burst`).
    init(rate: Int64, periodMs: Int64, burst: Int64) throws(FieldError) {
        guard (1...Self.maxRate).contains(rate) else {
            throw FieldError("rate", "must be a whole number from 1 to \(Self.maxRate), got \(rate)")
        }
        guard (1...Self.maxPeriodMs).contains(periodMs) else {
            throw FieldError("perSeconds", "must be from 0.001 to \(Self.maxPeriodMs / 1000) seconds, got \(Double(periodMs) / 1000)")
        }
        guard (1...Self.maxBurst).contains(burst) else {
            throw FieldError("burst", "must be a whole number from 1 to \(Self.maxBurst), got \(burst)")
        }
        self.rate = rate
        self.periodMs = periodMs
        self.burst = burst
    }

    var description: String { "\(rate)/\(Double(periodMs) / 1000)s burst \(burst)" }
}
