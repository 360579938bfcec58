/// Heartbeats (op 3 → op 6) and the deadline that closes a silent client with 4009.
extension VoiceHub {
    func heartbeat(_ state: inout VoiceHubState, _ connectionID: Int, _ d: WireJSON) {
        // v8 sends {t, seq_ack}; earlier versions sent the nonce alone.
        let nonce = d.objectMembers == nil ? d : (d["t"] ?? .null)
        guard nonce.int64Value != nil || nonce.doubleValue != nil else {
            return close(&state, connectionID, code: VoiceClose.decodeError)
        }
        if let key = state.connections[connectionID]?.sessionKey, let seqAck = d["seq_ack"]?.int64Value {
            state.sessions[key]?.seqAck = Int(seqAck)
        }
        armHeartbeatDeadline(&state, connectionID)
        if !state.heartbeatACKsStopped {
            sendConnectionMessage(&state, to: connectionID, op: VoiceOp.heartbeatACK, d: ["t": nonce])
        }
    }

    /// (Re)starts the wait for the next heartbeat; an earlier deadline becomes void.
    func armHeartbeatDeadline(_ state: inout VoiceHubState, _ connectionID: Int) {
        guard let connection = state.connections[connectionID] else { return }
        let generation = connection.heartbeatGeneration + 1
        state.connections[connectionID]?.heartbeatGeneration = generation
        let timeout = Int64(max(1, configuration.effectiveHeartbeatTimeoutMs))
        connection.link.schedule(in: .milliseconds(timeout)) { [self] in
            heartbeatDeadlinePassed(connectionID: connectionID, generation: generation)
        }
    }

    private func heartbeatDeadlinePassed(connectionID: Int, generation: Int) {
        state.withLock { state in
            guard let connection = state.connections[connectionID], connection.heartbeatGeneration == generation else { return }
            close(&state, connectionID, code: VoiceClose.sessionTimeout)
        }
    }
}
