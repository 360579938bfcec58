/// One WebSocket connection to the gateway.
struct GatewayConnection: WebSocketConnection {
    let id: Int
    let link: WebSocketLink
    /// Present when the client asked for `compress=zlib-stream`.
    let deflater: ZlibStreamDeflater?
    let viaResumeURL: Bool
    var sessionID: String?
    var shard: Int?
    var payloadTimesMs: [Int64] = []
    var closing = false

    /// Bytes as this connection carries payloads: one zlib-stream binary frame each when the
    /// client asked for compression, text otherwise.
    func sendCompressedIfAsked(_ bytes: [UInt8]) {
        if let deflater {
            link.send(deflater.compress(bytes), binary: true)
        } else {
            link.send(bytes, binary: false)
        }
    }
}

/// A gateway session: survives its connection so it can be resumed, and keeps its dispatches
/// so a resume can replay what the client missed.
struct GatewaySession {
    let id: String
    let shard: Int
    let shardCount: Int
    let intents: UInt64
    var seq = 0
    var log: [(seq: Int, payload: [UInt8])] = []
    var connectionID: Int?
    var detachedAtMs: Int64?
    var ended = false

    func receives(guildID: UInt64?) -> Bool {
        guard let guildID else { return shard == 0 }  // DMs go to shard 0
        return Topology.shard(of: guildID, shardCount: shardCount) == shard
    }

    mutating func append(seq: Int, payload: [UInt8]) {
        log.append((seq, payload))
        // Trimmed in halves, not per dispatch: removing the front of an array moves all the rest.
        if log.count >= 2 * GatewayLimits.replayBufferSize { log.removeFirst(log.count - GatewayLimits.replayBufferSize) }
    }
}

struct GatewayHubState {
    var connections = WebSocketConnections<GatewayConnection>()
    var sessions: [String: GatewaySession] = [:]
    var heartbeatACKsStopped = false
    /// Last identify per max_concurrency bucket (`shard_id % max_concurrency`).
    var identifyBucketsMs: [Int: Int64] = [:]
    var identifiesSpent = 0
    var firstIdentifyMs: Int64?
    /// A full 24-hour session-start window has passed since the first identify.
    var sessionWindowReset = false
}

/// Where a dispatch goes.
enum DispatchTarget: Sendable {
    /// Sessions whose shard owns this guild (nil: DMs, shard 0).
    case guild(UInt64?)
    case shard(Int)
    case session(String)
}
