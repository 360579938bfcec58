/// The gateway: connections, sessions, and every payload in and out. All state sits behind one
/// lock, and every write is queued to the connection's event loop while that lock is held, so
/// frames leave in exactly the order sequence numbers were assigned.
final class GatewayHub: WebSocketHub {
    let env: EmulatorEnvironment
    /// Read for GUILD_CREATE (voice states, presences); see World for the lock order.
    let world: Locked<World>
    let state = Locked(GatewayHubState())
    /// The voice servers, which op 4 and server-side moves drive.
    let voice: VoiceHub

    init(env: EmulatorEnvironment, world: Locked<World>) {
        self.env = env
        self.world = world
        voice = VoiceHub(env: env, world: world)
    }

    // MARK: Connection lifecycle (called by the channel handler)

    /// A new connection: Hello goes out, and a version Discord no longer serves is then closed.
    func open(_ link: WebSocketLink, request: GatewayRequest) -> Int {
        let id = state.withLock { state in
            let id = state.connections.add { id in
                GatewayConnection(
                    id: id, link: link, deflater: request.compress ? ZlibStreamDeflater() : nil, viaResumeURL: request.viaResumeURL)
            }
            let hello: WireJSON = [
                "t": nil, "s": nil, "op": .int(Int64(GatewayOp.hello)),
                "d": [
                    "heartbeat_interval": .int(Int64(env.configuration.heartbeatIntervalMs)),
                    "_trace": ["[\"gateway-prd-emulator-1\",{\"micros\":0.0}]"],
                ],
            ]
            send(&state, to: id, hello.bytes, op: GatewayOp.hello)
            return id
        }
        if request.verdict == .acceptThenCloseInvalidVersion {
            closeConnection(id, code: GatewayClose.invalidAPIVersion)
        }
        return id
    }

    /// A payload from the client; text and binary frames alike are read as JSON.
    func receive(connectionID: Int, bytes: [UInt8], binary: Bool) {
        state.withLock { state in
            guard let connection = state.connections.open(connectionID) else { return }
            let now = env.clock.nowMs()
            let parsed = try? WireJSONParser.parse(bytes)
            let op = parsed?["op"]?.int64Value.map(Int.init)
            record(&state, connectionID, .received, json: String(decoding: bytes, as: UTF8.self), op: op)

            guard bytes.count <= GatewayLimits.maxPayloadBytes else { return close(&state, connectionID, code: GatewayClose.decodeError) }
            var times = connection.payloadTimesMs.filter { now - $0 < GatewayLimits.payloadWindowMs }
            times.append(now)
            state.connections[connectionID]?.payloadTimesMs = times
            guard times.count <= GatewayLimits.payloadsPerWindow else { return close(&state, connectionID, code: GatewayClose.rateLimited) }
            guard let payload = parsed, payload.objectMembers != nil, let op else {
                return close(&state, connectionID, code: GatewayClose.decodeError)
            }
            guard GatewayOp.clientOps.contains(op) else { return close(&state, connectionID, code: GatewayClose.unknownOpcode) }
            let data = payload["d"] ?? .null
            switch op {
            case GatewayOp.heartbeat:
                if !state.heartbeatACKsStopped {
                    send(&state, to: connectionID, Self.control(op: GatewayOp.heartbeatACK, d: nil), op: GatewayOp.heartbeatACK)
                }
            case GatewayOp.identify: identify(&state, connectionID, data, nowMs: now)
            case GatewayOp.resume: resume(&state, connectionID, data, nowMs: now)
            default:
                guard let sessionID = connection.sessionID else { return close(&state, connectionID, code: GatewayClose.notAuthenticated) }
                if op == GatewayOp.requestGuildMembers { requestGuildMembers(&state, sessionID: sessionID, data) }
                if op == GatewayOp.voiceStateUpdate { voiceStateUpdate(&state, connectionID: connectionID, sessionID: sessionID, data) }
            }
        }
    }

    /// The client sent a close frame: answer it (unless we started the close) and hang up.
    /// Closing with 1000 or 1001 ends the session, as on Discord.
    func peerClosed(connectionID: Int, code: UInt16?) {
        state.withLock { state in
            guard let connection = state.connections[connectionID] else { return }
            record(&state, connectionID, .received, json: "", op: nil, closeCode: code ?? 1005)
            if let code, code == 1000 || code == 1001, let sessionID = connection.sessionID {
                state.sessions[sessionID]?.ended = true
            }
            state.connections.peerClosed(connectionID, code: code)
        }
    }

    /// The TCP connection is gone; its session waits to be resumed.
    func disconnected(connectionID: Int) {
        state.withLock { state in
            guard let connection = state.connections.remove(connectionID) else { return }
            if let sessionID = connection.sessionID, state.sessions[sessionID]?.connectionID == connectionID {
                state.sessions[sessionID]?.connectionID = nil
                state.sessions[sessionID]?.detachedAtMs = env.clock.nowMs()
            }
        }
    }

    func closeAll() {
        state.withLock { state in state.connections.hangUpAll() }
    }

    // MARK: Sending (always with the lock held)

    static func control(op: Int, d: WireJSON) -> [UInt8] {
        let payload: WireJSON = ["t": nil, "s": nil, "op": .int(Int64(op)), "d": d]
        return payload.bytes
    }

    func send(_ state: inout GatewayHubState, to connectionID: Int, _ payload: [UInt8], op: Int, t: String? = nil, s: Int? = nil) {
        guard let connection = state.connections.open(connectionID) else { return }
        record(&state, connectionID, .sent, json: String(decoding: payload, as: UTF8.self), op: op, t: t, s: s)
        connection.sendCompressedIfAsked(payload)
    }

    /// Send a close frame and hang up once the client answers (or after a second). Codes that
    /// end a session end it here.
    func close(_ state: inout GatewayHubState, _ connectionID: Int, code: UInt16) {
        guard let connection = state.connections.open(connectionID) else { return }
        record(&state, connectionID, .sent, json: "", op: nil, closeCode: code)
        state.connections.close(connectionID, code: code, reason: GatewayClose.reason(code))
        if GatewayClose.endsSession(code), let sessionID = connection.sessionID { state.sessions[sessionID]?.ended = true }
    }

    /// A TCP close with no close frame: what a network drop looks like to the client.
    func drop(_ state: inout GatewayHubState, _ connectionID: Int) {
        state.connections.drop(connectionID)
    }

    func record(
        _ state: inout GatewayHubState, _ connectionID: Int, _ direction: RecordedGatewayFrame.Direction,
        json: String, op: Int?, t: String? = nil, s: Int? = nil, closeCode: UInt16? = nil
    ) {
        guard env.configuration.recordsGatewayFrames else { return }
        let connection = state.connections[connectionID]
        env.recorder.record(RecordedGatewayFrame(
            connectionID: connectionID, viaResumeURL: connection?.viaResumeURL ?? false, shard: connection?.shard, sessionID: connection?.sessionID, direction: direction,
            op: op, t: t, s: s, json: json, closeCode: closeCode, timeMs: env.clock.nowMs()))
    }
}

extension GatewayHub {
    func closeConnection(_ connectionID: Int, code: UInt16) {
        state.withLock { state in close(&state, connectionID, code: code) }
    }
}
