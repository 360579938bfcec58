import NIOCore

/// Bursts: many dispatches numbered, logged and encoded in one go, then written as fast as the
/// socket takes them, so a benchmark can time the client without the emulator's compression in
/// the way.
extension GatewayHub {
    struct BurstOutcome {
        var sessions = 0
        var bytes = 0
        var preparation = Duration.zero
        var writes: [EventLoopFuture<BurstWriteTimes>] = []
    }

    /// `count` dispatches of `event` to every session of `shard`, `d` cycling through `payloads`.
    /// Everything happens under the hub's lock, so no other frame can be compressed in between
    /// and frames queued later leave after the burst (heartbeat ACKs wait; they are not lost).
    func dispatchBurst(event: String, payloads: [[UInt8]], count: Int, shard: Int) -> BurstOutcome {
        state.withLock { state in
            let clock = ContinuousClock()
            let start = clock.now
            var outcome = BurstOutcome()
            for sessionID in recipients(&state, target: .shard(shard)) {
                outcome.sessions += 1
                let connection = state.sessions[sessionID]?.connectionID.flatMap { state.connections[$0] }.flatMap { $0.closing ? nil : $0 }
                var builder = connection.map { FrameBurstBuilder(allocator: $0.channel.allocator, opcode: $0.opcode) }
                for index in 0..<count {
                    guard let (payload, seq) = logDispatch(&state, sessionID: sessionID, event: event, d: payloads[index % payloads.count]) else { break }
                    guard let connection else { continue }  // disconnected: kept for the resume only, as `dispatch` does
                    record(&state, connection.id, .sent, json: String(decoding: payload, as: UTF8.self), op: GatewayOp.dispatch, t: event, s: seq)
                    builder?.append(connection.wire(payload))
                }
                if let connection, let burst = builder?.finish(written: connection.channel.eventLoop.makePromise()) {
                    outcome.bytes += burst.bytes
                    outcome.writes.append(burst.written.futureResult)
                    connection.outbox.send(burst)
                }
            }
            outcome.preparation = clock.now - start
            return outcome
        }
    }
}
