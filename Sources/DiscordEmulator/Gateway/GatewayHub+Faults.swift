/// Injected gateway faults, applied to the live connections (optionally of one shard).
extension GatewayHub {
    func apply(_ fault: GatewayFault, shard: Int?) -> Int {
        state.withLock { state in
            let targets = state.connections.values
                .filter { !$0.closing && (shard == nil || $0.shard == shard) }
                .map(\.id).sorted()
            switch fault {
            case .dropConnections:
                for id in targets { drop(&state, id) }
            case .stopHeartbeatACKs:
                state.heartbeatACKsStopped = true
            case .resumeHeartbeatACKs:
                state.heartbeatACKsStopped = false
            case .reconnect:
                for id in targets { send(&state, to: id, Self.control(op: GatewayOp.reconnect, d: nil), op: GatewayOp.reconnect) }
            case .requestHeartbeat:
                let last = targets.map { id in state.connections[id]?.sessionID.flatMap { state.sessions[$0]?.seq } }
                for (id, seq) in zip(targets, last) {
                    let d: WireJSON = seq.map { .int(Int64($0)) } ?? .null
                    send(&state, to: id, Self.control(op: GatewayOp.heartbeat, d: d), op: GatewayOp.heartbeat)
                }
            case .invalidSession(let resumable):
                for id in targets {
                    send(&state, to: id, Self.control(op: GatewayOp.invalidSession, d: .bool(resumable)), op: GatewayOp.invalidSession)
                    guard !resumable, let sessionID = state.connections[id]?.sessionID else { continue }
                    // The session is over; the client may identify again, on this connection or a new one.
                    state.sessions[sessionID]?.ended = true
                    state.sessions[sessionID]?.log = []
                    state.connections[id]?.sessionID = nil
                }
            case .close(let code):
                for id in targets { close(&state, id, code: code) }
            }
            return targets.count
        }
    }

    /// Live sessions, for observation.
    var liveSessionCount: Int {
        state.withLock { state in state.sessions.values.filter { !$0.ended }.count }
    }
}
