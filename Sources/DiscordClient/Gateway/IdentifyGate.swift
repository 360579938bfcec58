import BotHostCore
import Logging

/// Paces identifies the way Discord requires. Shards share a rate-limit key
/// (`shard_id % max_concurrency`); each key allows one identify per spacing (5 s), so up to
/// `max_concurrency` shards identify together. It also spends the daily session-start allowance
/// and, when that runs out, waits for Discord's reset instead of identifying anyway: exceeding it
/// makes Discord reset the bot's token.
package actor IdentifyGate {
    private let maxConcurrency: Int
    private let spacingNs: UInt64
    private let sleeper: SchedulerSleeper
    private let logger: Logger
    private let refresh: @Sendable () async throws -> GatewayBotInfo
    private var nextAllowedNs: [Int: UInt64] = [:]
    private var limit: SessionStartLimit
    private var limitReadAtNs: UInt64

    package init(limit: SessionStartLimit, spacing: Duration, sleeper: SchedulerSleeper, logger: Logger,
         refresh: @escaping @Sendable () async throws -> GatewayBotInfo) {
        maxConcurrency = max(1, limit.maxConcurrency)
        spacingNs = SchedulerTime.nanoseconds(spacing)
        self.sleeper = sleeper
        self.logger = logger
        self.refresh = refresh
        self.limit = limit
        limitReadAtNs = sleeper.nowNs
    }

    /// Shards in start order: waves of up to `maxConcurrency` consecutive ids, one per rate-limit
    /// key, each wave a spacing after the previous.
    package static func waves(shardIDs: [Int], maxConcurrency: Int) -> [[Int]] {
        let concurrency = max(1, maxConcurrency)
        var waves: [Int: [Int]] = [:]
        for id in shardIDs.sorted() { waves[id / concurrency, default: []].append(id) }
        return waves.keys.sorted().compactMap { waves[$0] }
    }

    package static func rateLimitKey(shardID: Int, maxConcurrency: Int) -> Int { shardID % max(1, maxConcurrency) }

    /// Waits until `shardID` may identify, and counts the session start.
    package func acquire(shardID: Int) async throws {
        try await ensureSessionStarts(1)
        limit.remaining -= 1
        try await sleeper.sleep(untilNs: reserve(shardID: shardID))
    }

    /// Books the next identify slot of the shard's key and returns when it opens.
    package func reserve(shardID: Int) -> UInt64 {
        let key = Self.rateLimitKey(shardID: shardID, maxConcurrency: maxConcurrency)
        let at = max(sleeper.nowNs, nextAllowedNs[key] ?? 0)
        nextAllowedNs[key] = at &+ spacingNs
        return at
    }

    package var remainingSessionStarts: Int { limit.remaining }

    /// Returns once at least `needed` session starts remain, waiting for the daily reset (and
    /// saying so) when they do not.
    package func ensureSessionStarts(_ needed: Int) async throws {
        while limit.remaining < needed {
            guard limit.total >= needed else {
                throw GatewayError.invalidConfiguration("Discord allows this bot \(limit.total) session starts a day, but \(needed) shards need one each")
            }
            let resetAtNs = limitReadAtNs &+ UInt64(max(0, limit.resetAfterMs)) &* 1_000_000
            // Never poll faster than this, even if Discord reports a reset that already passed.
            let wakeAtNs = max(resetAtNs, sleeper.nowNs &+ 5_000_000_000)
            let wait = SchedulerTime.duration(nanoseconds: wakeAtNs &- sleeper.nowNs)
            logger.warning("only \(limit.remaining) of \(limit.total) session starts remain today and \(needed) needed; waiting \(SchedulerTime.describe(wait)) for Discord to reset the limit rather than identify and risk the token being reset")
            try await sleeper.sleep(untilNs: wakeAtNs)
            do {
                let info = try await refresh()
                limit = info.sessionStartLimit
                limitReadAtNs = sleeper.nowNs
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("could not re-read the session start limit (\(error)); trying again in a minute")
                limit.resetAfterMs = 60_000
                limitReadAtNs = sleeper.nowNs
            }
        }
    }
}
