/// Identify (op 0) and Resume (op 7): checked against the VOICE_SERVER_UPDATE token and the
/// VOICE_STATE_UPDATE session the main gateway handed out.
extension VoiceHub {
    func identify(_ state: inout VoiceHubState, _ connectionID: Int, _ d: WireJSON) {
        guard state.connections[connectionID]?.sessionKey == nil else {
            return close(&state, connectionID, code: VoiceClose.alreadyAuthenticated)
        }
        guard d.objectMembers != nil, let serverID = d["server_id"]?.snowflake, let userID = d["user_id"]?.snowflake,
              let stateSessionID = d["session_id"]?.stringValue, let token = d["token"]?.stringValue else {
            return close(&state, connectionID, code: VoiceClose.decodeError)
        }
        guard let key = authenticate(state, token: token, serverID: serverID, userID: userID) else {
            return close(&state, connectionID, code: VoiceClose.authenticationFailed)
        }
        guard state.sessions[key]?.stateSessionID == stateSessionID else {
            return close(&state, connectionID, code: VoiceClose.sessionNoLongerValid)
        }
        let offered = d["max_dave_protocol_version"]?.int64Value.map { Int(clamping: $0) }
        state.sessions[key]?.maxDAVEProtocolVersion = offered
        // The highest version both sides speak; a client below the minimum is refused (close 4017).
        let daveVersion = min(max(0, offered ?? 0), max(0, configuration.daveProtocolVersion))
        if offered ?? 0 < configuration.minimumDAVEProtocolVersion {
            state.connections[connectionID]?.sessionKey = key
            state.sessions[key]?.connectionID = connectionID
            return close(&state, connectionID, code: VoiceClose.daveRequired)
        }
        // A fresh identify starts the server side over; an older connection of the session is cut.
        if let previous = state.sessions[key]?.connectionID, previous != connectionID {
            state.connections[previous]?.sessionKey = nil
            drop(&state, previous)
        }
        let ssrc = state.allocateSSRC()
        guard var session = state.sessions[key] else { return }
        session.connectionID = connectionID
        session.resumable = true
        session.identifyCount += 1
        session.ssrc = ssrc
        session.mode = nil
        session.secretKey = nil
        session.seq = 0
        session.log = []
        session.seqAck = nil
        // A new identify is a new member of the call: its DAVE group starts over.
        session.daveProtocolVersion = daveVersion
        session.dave = nil
        session.daveMembers = [:]
        session.daveMedia = DAVEMediaCounters()
        state.sessions[key] = session
        state.connections[connectionID]?.sessionKey = key

        let udpPort = listeners.withLock { $0.udpPort }
        sendSessionMessage(
            &state, sessionKey: key, op: VoiceOp.ready,
            d: VoiceGatewayPayloads.ready(ssrc: ssrc, ip: "127.0.0.1", port: udpPort, modes: offeredModes))
        let present = world.withLock { $0.members.voiceStates(in: session.guildID) }
            .filter { $0.channelID == session.channelID && $0.userID != session.userID }
            .map(\.userID)
        if !present.isEmpty {
            sendSessionMessage(&state, sessionKey: key, op: VoiceOp.clientsConnect, d: VoiceGatewayPayloads.clientsConnect(present))
        }
    }

    func resume(_ state: inout VoiceHubState, _ connectionID: Int, _ d: WireJSON) {
        guard state.connections[connectionID]?.sessionKey == nil else {
            return close(&state, connectionID, code: VoiceClose.alreadyAuthenticated)
        }
        guard d.objectMembers != nil, let serverID = d["server_id"]?.snowflake, let stateSessionID = d["session_id"]?.stringValue,
              let token = d["token"]?.stringValue else {
            return close(&state, connectionID, code: VoiceClose.decodeError)
        }
        guard let key = authenticate(state, token: token, serverID: serverID, userID: nil) else {
            return close(&state, connectionID, code: VoiceClose.authenticationFailed)
        }
        guard var session = state.sessions[key], session.stateSessionID == stateSessionID, session.resumable else {
            return close(&state, connectionID, code: VoiceClose.sessionNoLongerValid)
        }
        // Without seq_ack (before v8) nothing is replayed; one from the future, or from before
        // what the buffer still holds, cannot be honoured.
        let seqAck = d["seq_ack"]?.int64Value.map { Int(clamping: $0) } ?? session.seq
        let oldestKept = session.log.first?.seq ?? session.seq + 1
        guard seqAck >= 0, seqAck <= session.seq, seqAck >= oldestKept - 1 else {
            return close(&state, connectionID, code: VoiceClose.sessionNoLongerValid)
        }
        if let previous = session.connectionID, previous != connectionID {
            state.connections[previous]?.sessionKey = nil
            drop(&state, previous)
        }
        session.connectionID = connectionID
        session.resumeCount += 1
        session.seqAck = seqAck
        state.sessions[key] = session
        state.connections[connectionID]?.sessionKey = key
        for entry in session.log where entry.seq > seqAck {
            send(&state, to: connectionID, entry.payload, op: entry.op, seq: entry.seq, binary: entry.binary)
        }
        sendConnectionMessage(&state, to: connectionID, op: VoiceOp.resumed, d: .null)
    }

    /// The current session this token belongs to, if the server (and user, when given) match.
    private func authenticate(_ state: VoiceHubState, token: String, serverID: UInt64, userID: UInt64?) -> Int? {
        guard let session = state.sessions.values.first(where: { $0.current && $0.token == token }),
              session.guildID == serverID, userID == nil || userID == session.userID else { return nil }
        return session.id
    }
}
