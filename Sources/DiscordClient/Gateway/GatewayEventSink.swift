import BotHostCore
/// Where the gateway delivers what it receives. Calls for one shard arrive one at a time and in
/// order, from that shard's task: they should hand the work on and return quickly.
public protocol GatewayEventSink: Sendable {
    /// A dispatch (op 0). `data` is the event's `d` exactly as Discord sent it (a slice of the
    /// received message; copy it to keep it). Each sequence number is delivered once per session,
    /// even across resumes.
    func gatewayDispatch(shard: Int, event: String, data: ArraySlice<UInt8>, sequence: Int)
    func gatewayStateChanged(shard: Int, state: ShardState)
    /// READY, decoded once by the shard; called just before READY's `gatewayDispatch`.
    func gatewayReady(shard: Int, ready: ReadyEvent)
}

extension GatewayEventSink {
    /// A sink that only forwards dispatches needs nothing from READY beyond its bytes.
    public func gatewayReady(shard: Int, ready: ReadyEvent) {}
}

/// Where a shard is in its life.
public enum ShardState: Sendable, Equatable, CustomStringConvertible {
    case connecting
    /// Connected; identifying (waiting for its identify turn, then for READY).
    case identifying
    /// Connected; resuming the previous session.
    case resuming
    case ready(sessionID: String)
    /// The connection ended; the next attempt starts after this delay.
    case reconnecting(after: Duration)
    case stopped(ShardStopReason)

    public var isReady: Bool { if case .ready = self { true } else { false } }
    public var isStopped: Bool { if case .stopped = self { true } else { false } }

    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .identifying: "identifying"
        case .resuming: "resuming"
        case .ready(let id): "ready (session \(id))"
        case .reconnecting(let after): "reconnecting in \(SchedulerTime.describe(after))"
        case .stopped(.requested): "stopped"
        case .stopped(.failed(let error)): "stopped: \(error)"
        }
    }
}

public enum ShardStopReason: Sendable, Equatable {
    /// `GatewayClient.stop()` ended it.
    case requested
    /// Discord refused it in a way retrying cannot fix.
    case failed(GatewayError)
}
