/// Injected gateway faults, applied to the live connections (optionally of one shard).
extension GatewayHub {
    func apply(_ fault: GatewayFault, shard: Int?) -> Int {
        state.withLock { state in
            let targets = state.connections.openIDs { shard == nil || $0.shard == shard }
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
            case .garbagePayloads(let count):
                for id in targets { for _ in 0..<max(0, count) { sendUnframed(&state, to: id, Array("\u{1}garbage, not a payload".utf8)) } }
            case .corruptStream:
                for id in targets { sendCorruptFrame(&state, to: id) }
            }
            return targets.count
        }
    }

    /// Bytes sent as the connection sends payloads (compressed or as text), but not a payload.
    private func sendUnframed(_ state: inout GatewayHubState, to connectionID: Int, _ bytes: [UInt8]) {
        guard let connection = state.connections.open(connectionID) else { return }
        connection.sendCompressedIfAsked(bytes)
    }

    /// A frame no inflater can continue from: a stored block header whose length check fails.
    private func sendCorruptFrame(_ state: inout GatewayHubState, to connectionID: Int) {
        guard let connection = state.connections.open(connectionID) else { return }
        guard connection.deflater != nil else {
            connection.link.send(Array("\u{1}corrupt".utf8), binary: false)
            return
        }
        // BFINAL=0, BTYPE=00 (stored), then LEN/NLEN that are not complements, then the sync marker.
        let bytes: [UInt8] = [0x00, 0x05, 0x00, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF]
        connection.link.send(bytes, binary: true)
    }

    /// Live sessions, for observation.
    var liveSessionCount: Int {
        state.withLock { state in state.sessions.values.filter { !$0.ended }.count }
    }
}
