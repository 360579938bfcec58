import BotHostCore
import Logging
import NIOCore

/// What every shard of one client shares.
package struct ShardEnvironment: Sendable {
    package let configuration: GatewayConfiguration
    package let shardCount: Int
    /// The URL from `/gateway/bot` (or the override): where fresh sessions identify.
    package let endpoint: WebSocketEndpoint
    package let gate: IdentifyGate
    package let sleeper: SchedulerSleeper
    /// Values in [0, 1): heartbeat jitter, backoff jitter, the invalid-session wait.
    package let random: @Sendable () -> Double
    package let sink: any GatewayEventSink
    package let logger: Logger
    /// Per-message warnings (bad payloads, broken streams), at most one line per kind per interval.
    package let warnings: WarningThrottle
    package let group: any EventLoopGroup
    /// Records a state change (the client keeps the latest per shard) before the sink hears it.
    package let recordState: @Sendable (Int, ShardState) -> Void

    package func randomUnit() -> Double { Self.unit(random()) }

    /// A value from a random source, held to [0, 1) whatever the source returns.
    package static func unit(_ r: Double) -> Double {
        r.isFinite ? min(max(r, 0), 0.999_999_999) : 0
    }

    /// A point in the configured invalid-session range (Discord: 1–5 s).
    package func invalidSessionDelay() -> Duration {
        let range = configuration.invalidSessionDelay
        return range.lowerBound + (range.upperBound - range.lowerBound) * randomUnit()
    }
}
