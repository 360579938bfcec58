import NIOCore

/// A burst of dispatches queued by `DiscordEmulator.dispatchBurst`.
public struct GatewayBurst: Sendable {
    public enum Failure: Error, Sendable {
        /// No session of the shard had a live connection: the burst was only logged for resume.
        case noConnection
    }

    /// Dispatches per session.
    public let events: Int
    /// Sessions that got them, disconnected but resumable ones included.
    public let sessions: Int
    /// WebSocket bytes queued, all connections together.
    public let bytes: Int
    /// Building, numbering, logging, compressing and framing every dispatch, before the first write.
    public let preparation: Duration
    let writes: [EventLoopFuture<BurstWriteTimes>]

    /// When the first byte was handed to a socket and when the last one was taken, over every
    /// connection the burst went to. Throws if a connection closed before its burst was out.
    public func written() async throws -> BurstWriteTimes {
        var times: [BurstWriteTimes] = []
        for write in writes { times.append(try await write.get()) }
        guard let started = times.map(\.started).min(), let finished = times.map(\.finished).max() else {
            throw Failure.noConnection
        }
        return BurstWriteTimes(started: started, finished: finished)
    }
}
