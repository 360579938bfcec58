/// Discord ids: milliseconds since the Discord epoch in the top 42 bits, then worker, process
/// and an increment. Ids from one generator are strictly increasing, as Discord's are.
final class SnowflakeGenerator: Sendable {
    static let discordEpochMs: Int64 = 1_420_070_400_000

    private let last = Locked<UInt64>(0)
    private let clock: EmulatorClock

    init(clock: EmulatorClock) { self.clock = clock }

    func next() -> UInt64 {
        let ms = UInt64(max(0, clock.nowMs() - Self.discordEpochMs))
        let candidate = (ms << 22) | (1 << 17)  // worker 0, process 1
        return last.withLock { last in
            last = max(candidate, last + 1)
            return last
        }
    }

    /// The creation time encoded in an id, in Unix milliseconds.
    static func timestampMs(of id: UInt64) -> Int64 {
        Int64(id >> 22) + discordEpochMs
    }
}
