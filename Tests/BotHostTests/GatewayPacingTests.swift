@testable import BotHost
import Synchronization
import BotHostTestSupport
import Testing

@Suite struct GatewaySendBudgetTests {
    private let second: UInt64 = 1_000_000_000

    @Test func admitsTheBudgetAtOnceThenWaitsForTheWindow() {
        let clock = ManualClock()
        var budget = SendBudget(limit: 110)
        for _ in 0..<110 { #expect(budget.reserve(nowNs: clock.monotonicNs()) == clock.monotonicNs()) }
        let start = clock.monotonicNs()
        // The 111th waits until the first slot leaves the 60-second window, the next ones queue behind.
        #expect(budget.reserve(nowNs: start) == start + 60 * second)
        clock.advance(byMs: 1_000)
        #expect(budget.reserve(nowNs: clock.monotonicNs()) == start + 60 * second)
    }

    @Test func spreadOutSendsNeverWait() {
        let clock = ManualClock()
        var budget = SendBudget(limit: 110)
        // One send a second is far below 110 a minute.
        for _ in 0..<500 {
            #expect(budget.reserve(nowNs: clock.monotonicNs()) == clock.monotonicNs())
            clock.advance(byMs: 1_000)
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func noWindowEverHoldsMoreThanTheLimit(seed: UInt64) {
        var rng = SplitMix64(state: seed)
        var budget = SendBudget(limit: 20, windowNs: 10 * second)
        var now: UInt64 = 5 * second
        var slots: [UInt64] = []
        for _ in 0..<2_000 {
            now += UInt64.random(in: 0...(second / 2), using: &rng)
            let slot = budget.reserve(nowNs: now)
            #expect(slot >= now)
            #expect(slot >= slots.last ?? 0, "slots are handed out in arrival order")
            slots.append(slot)
        }
        // Any 21 consecutive slots span at least a full window.
        for i in 20..<slots.count { #expect(slots[i] - slots[i - 20] >= 10 * second) }
    }

    @Test func leavesRoomForHeartbeatsUnderDiscordsLimit() {
        #expect(GatewayConfiguration(token: "t", intents: 0).sendsPerMinute <= SendBudget.discordLimit - 10)
        #expect(throws: GatewayError.self) { try GatewayConfiguration(token: "t", intents: 0, sendsPerMinute: 120).validate() }
    }
}

@Suite struct GatewayBackoffTests {
    @Test func doublesUpToTheCapWithJitterInTheUpperHalf() {
        var low = ReconnectBackoff(base: .seconds(1), cap: .seconds(60))
        var high = ReconnectBackoff(base: .seconds(1), cap: .seconds(60))
        let ceilings: [Duration] = [1, 2, 4, 8, 16, 32, 60, 60, 60].map { .seconds($0) }
        for ceiling in ceilings {
            #expect(low.next(random: 0) == ceiling / 2)
            let top = high.next(random: 0.999_999)
            #expect(top <= ceiling && top > ceiling * 0.99)
        }
    }

    @Test func resetStartsFromTheBaseAgain() {
        var backoff = ReconnectBackoff(base: .milliseconds(100), cap: .seconds(10))
        for _ in 0..<20 { _ = backoff.next(random: 0.5) }
        #expect(backoff.next(random: 1) == .seconds(10))
        backoff.reset()
        #expect(backoff.next(random: 1) == .milliseconds(100))
    }

    @Test func outOfRangeRandomnessIsClamped() {
        var backoff = ReconnectBackoff(base: .seconds(2), cap: .seconds(8))
        #expect(backoff.next(random: -5) == .seconds(1))
        #expect(backoff.next(random: 7) == .seconds(4))
    }
}

@Suite struct GatewayIdentifyOrderTests {
    @Test func wavesHoldOneShardPerRateLimitKeyInIDOrder() {
        #expect(IdentifyGate.waves(shardIDs: Array(0..<8), maxConcurrency: 1) == (0..<8).map { [$0] })
        #expect(IdentifyGate.waves(shardIDs: Array(0..<10), maxConcurrency: 4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(IdentifyGate.waves(shardIDs: [5, 1, 0, 4], maxConcurrency: 2) == [[0, 1], [4, 5]])
        #expect(IdentifyGate.waves(shardIDs: [0, 1], maxConcurrency: 0) == [[0], [1]])
        for wave in IdentifyGate.waves(shardIDs: Array(0..<64), maxConcurrency: 16) {
            #expect(Set(wave.map { IdentifyGate.rateLimitKey(shardID: $0, maxConcurrency: 16) }).count == wave.count)
        }
    }

    private func gate(_ clock: ManualClock, maxConcurrency: Int, remaining: Int = 1000, resetAfterMs: Int = 0,
                      refresh: @escaping @Sendable () async throws -> GatewayBotInfo = { throw CancellationError() }) -> (IdentifyGate, SchedulerSleeper) {
        let sleeper = SchedulerSleeper(scheduler: TimerScheduler(clock: clock, name: "test.gateway"))
        let limit = SessionStartLimit(total: 1000, remaining: remaining, resetAfterMs: resetAfterMs, maxConcurrency: maxConcurrency)
        return (IdentifyGate(limit: limit, spacing: .seconds(5), sleeper: sleeper, logger: .init(label: "test"), refresh: refresh), sleeper)
    }

    @Test func shardsSharingAKeyIdentifyFiveSecondsApart() async {
        let clock = ManualClock()
        let (gate, sleeper) = gate(clock, maxConcurrency: 2)
        let t0 = sleeper.nowNs
        let s = { (n: UInt64) in t0 + n * 5_000_000_000 }
        var granted: [UInt64] = []
        for shard in 0..<6 { granted.append(await gate.reserve(shardID: shard)) }
        #expect(granted == [s(0), s(0), s(1), s(1), s(2), s(2)])
        // A shard identifying again later (op 9) still respects its key's spacing.
        clock.advance(byMs: 11_000)
        #expect(await gate.reserve(shardID: 0) == s(3))
        #expect(await gate.reserve(shardID: 3) == s(3))
        clock.advance(byMs: 60_000)
        #expect(await gate.reserve(shardID: 1) == sleeper.nowNs)
        sleeper.scheduler.shutdown()
    }

    @Test func waitsForTheDailyResetInsteadOfSpendingTheLastIdentifies() async throws {
        let clock = ManualClock()
        let refreshed = Counter()
        let (gate, sleeper) = gate(clock, maxConcurrency: 1, remaining: 2, resetAfterMs: 3_600_000) {
            refreshed.increment()
            return GatewayBotInfo(url: "ws://x", shards: 4, sessionStartLimit: .init(total: 1000, remaining: 1000, resetAfterMs: 86_400_000, maxConcurrency: 1))
        }
        let resetNs = sleeper.nowNs + 3_600_000_000_000
        let waiting = Task { try await gate.ensureSessionStarts(4) }
        // It sleeps until the reset, and reads the limit again only once that sleep is over.
        #expect(await eventually { sleeper.pendingDeadlinesNs == [resetNs] })
        #expect(refreshed.value == 0)
        clock.advance(byMs: 3_599_000)
        await sleeper.scheduler.caughtUp()
        #expect(sleeper.pendingDeadlinesNs == [resetNs] && refreshed.value == 0, "must not identify before reset_after")
        clock.advance(byMs: 1_000)
        try await waiting.value
        #expect(refreshed.value == 1)
        #expect(await gate.remainingSessionStarts == 1000)
        sleeper.scheduler.shutdown()
    }

    @Test func refusesWhenTheDailyAllowanceCanNeverSuffice() async {
        let clock = ManualClock()
        let (gate, sleeper) = gate(clock, maxConcurrency: 1, remaining: 0)
        await #expect(throws: GatewayError.self) { try await gate.ensureSessionStarts(5000) }
        sleeper.scheduler.shutdown()
    }

    @Test func shutdownWakesSleepers() async {
        let clock = ManualClock()
        let sleeper = SchedulerSleeper(scheduler: TimerScheduler(clock: clock, name: "test.gateway"))
        let task = Task { try await sleeper.sleep(for: .seconds(3600)) }
        #expect(await eventually { sleeper.pendingDeadlinesNs.count == 1 })
        sleeper.shutdown()
        await #expect(throws: CancellationError.self) { try await task.value }
        await #expect(throws: CancellationError.self) { try await sleeper.sleep(for: .seconds(1)) }
        sleeper.scheduler.shutdown()
    }
}

/// A thread-safe counter for callbacks.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
