import Logging
import NIOCore

/// What every shard of one client shares.
struct ShardEnvironment: Sendable {
    let configuration: GatewayConfiguration
    let shardCount: Int
    /// The URL from `/gateway/bot` (or the override): where fresh sessions identify.
    let endpoint: GatewayEndpoint
    let gate: IdentifyGate
    let sleeper: GatewaySleeper
    /// Values in [0, 1): heartbeat jitter, backoff jitter, the invalid-session wait.
    let random: @Sendable () -> Double
    let sink: any GatewayEventSink
    let logger: Logger
    /// Per-message warnings (bad payloads, broken streams), at most one line per kind per interval.
    let warnings: WarningThrottle
    let group: any EventLoopGroup
    /// Records a state change (the client keeps the latest per shard) before the sink hears it.
    let recordState: @Sendable (Int, ShardState) -> Void

    func randomUnit() -> Double { Self.unit(random()) }

    /// A value from a random source, held to [0, 1) whatever the source returns.
    static func unit(_ r: Double) -> Double {
        r.isFinite ? min(max(r, 0), 0.999_999_999) : 0
    }

    /// A point in the configured invalid-session range (Discord: 1–5 s).
    func invalidSessionDelay() -> Duration {
        let range = configuration.invalidSessionDelay
        return range.lowerBound + (range.upperBound - range.lowerBound) * randomUnit()
    }
}
