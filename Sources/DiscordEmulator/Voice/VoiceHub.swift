import NIOCore

/// The voice servers: voice gateway connections, voice sessions, and UDP media. All state sits
/// behind one lock; writes are queued to a connection's event loop while it is held, so messages
/// leave in the order their seq numbers were assigned.
///
/// Lock order: the gateway hub's lock may be held while taking this one, and this one while
/// taking the world's; never the other way round.
final class VoiceHub: WebSocketHub {
    let env: EmulatorEnvironment
    let world: Locked<World>
    let state = Locked(VoiceHubState())
    /// Bound ports and the UDP channel, set when the listeners start.
    let listeners = Locked(VoiceListeners())

    struct VoiceListeners {
        var webSocketPort = 0
        var udpPort = 0
        var udpChannel: (any Channel)?
    }

    init(env: EmulatorEnvironment, world: Locked<World>) {
        self.env = env
        self.world = world
    }

    var configuration: EmulatorVoiceConfiguration { env.configuration.voice }

    /// What VOICE_SERVER_UPDATE hands out: host and port, no scheme, as Discord's endpoints are.
    var endpoint: String { "127.0.0.1:\(listeners.withLock { $0.webSocketPort })" }

    var offeredModes: [VoiceEncryptionMode] {
        let aes = configuration.offersAES256GCM && VoiceTransportCipher.aes256GCMAvailable
        return aes ? [.aes256GCM, .xChaCha20Poly1305] : [.xChaCha20Poly1305]
    }

    // MARK: Connection lifecycle (called by the channel handler)

    func open(_ link: WebSocketLink) -> Int {
        state.withLock { state in
            let id = state.connections.add { id in VoiceConnection(id: id, link: link) }
            // Hello precedes any session, so it carries no seq.
            let hello = VoiceGatewayPayloads.envelope(
                op: VoiceOp.hello, d: VoiceGatewayPayloads.hello(heartbeatIntervalMs: configuration.heartbeatIntervalMs), seq: nil)
            send(&state, to: id, hello, op: VoiceOp.hello, seq: nil)
            armHeartbeatDeadline(&state, id)
            return id
        }
    }

    func receive(connectionID: Int, bytes: [UInt8], binary: Bool) {
        state.withLock { state in
            guard let connection = state.connections.open(connectionID) else { return }
            let parsed = binary ? nil : try? WireJSONParser.parse(bytes)
            let op = binary ? bytes.first.map(Int.init) : parsed?["op"]?.int64Value.map(Int.init)
            record(&state, connectionID, .received, json: binary ? "" : String(decoding: bytes, as: UTF8.self), op: op, seq: nil)
            // Binary frames carry DAVE's MLS messages (ops 26 and 28).
            if binary {
                guard let sessionKey = connection.sessionKey else { return close(&state, connectionID, code: VoiceClose.notAuthenticated) }
                return daveBinary(&state, connectionID, sessionKey: sessionKey, bytes)
            }
            guard let payload = parsed, payload.objectMembers != nil, let op else {
                return close(&state, connectionID, code: VoiceClose.decodeError)
            }
            guard VoiceOp.clientOps.contains(op) else { return close(&state, connectionID, code: VoiceClose.unknownOpcode) }
            let d = payload["d"] ?? .null
            switch op {
            case VoiceOp.heartbeat: heartbeat(&state, connectionID, d)
            case VoiceOp.identify: identify(&state, connectionID, d)
            case VoiceOp.resume: resume(&state, connectionID, d)
            default:
                guard let sessionKey = connection.sessionKey else { return close(&state, connectionID, code: VoiceClose.notAuthenticated) }
                if op == VoiceOp.selectProtocol { selectProtocol(&state, connectionID, sessionKey: sessionKey, d) }
                if op == VoiceOp.speaking { speaking(&state, connectionID, sessionKey: sessionKey, d) }
                if VoiceOp.daveClientJSONOps.contains(op) { daveJSON(&state, connectionID, sessionKey: sessionKey, op: op, d) }
            }
        }
    }

    /// The client sent a close frame: answer it (unless the server started the close) and hang
    /// up. The session stays resumable whatever the client's code.
    func peerClosed(connectionID: Int, code: UInt16?) {
        state.withLock { state in
            guard state.connections[connectionID] != nil else { return }
            record(&state, connectionID, .received, json: "", op: nil, seq: nil, closeCode: code ?? 1005)
            state.connections.peerClosed(connectionID, code: code)
        }
    }

    /// The TCP connection is gone; its session waits to be resumed (if it still can be).
    func disconnected(connectionID: Int) {
        state.withLock { state in
            guard let connection = state.connections.remove(connectionID) else { return }
            if let key = connection.sessionKey, state.sessions[key]?.connectionID == connectionID {
                state.sessions[key]?.connectionID = nil
            }
        }
    }

    func closeAll() {
        state.withLock { state in state.connections.hangUpAll() }
    }

    // MARK: Sending (always with the lock held)

    /// A message that belongs to the session: it takes the next seq and is kept for replay,
    /// and goes out at once if a connection is attached.
    func sendSessionMessage(_ state: inout VoiceHubState, sessionKey: Int, op: Int, d: WireJSON) {
        guard var session = state.sessions[sessionKey] else { return }
        session.seq += 1
        let payload = VoiceGatewayPayloads.envelope(op: op, d: d, seq: session.seq)
        session.appendToLog(LoggedVoiceMessage(seq: session.seq, op: op, payload: payload, binary: false))
        state.sessions[sessionKey] = session
        if let connectionID = session.connectionID {
            send(&state, to: connectionID, payload, op: op, seq: session.seq)
        }
    }

    /// A binary message of the session (DAVE's MLS messages): `[u16 seq][u8 op][payload]`, taking
    /// the next seq from the same counter as the JSON messages, kept for replay. `frame` builds
    /// the bytes for a sequence number (the low 16 bits of the session's seq).
    func sendSessionBinary(_ state: inout VoiceHubState, sessionKey: Int, op: Int, frame build: (UInt16) -> [UInt8]?) {
        guard var session = state.sessions[sessionKey], let frame = build(UInt16(truncatingIfNeeded: session.seq + 1)) else { return }
        session.seq += 1
        session.appendToLog(LoggedVoiceMessage(seq: session.seq, op: op, payload: frame, binary: true))
        state.sessions[sessionKey] = session
        if let connectionID = session.connectionID {
            send(&state, to: connectionID, frame, op: op, seq: session.seq, binary: true)
        }
    }

    /// A message about the connection itself (heartbeat ACK, Resumed): it carries the session's
    /// latest seq but is neither numbered anew nor replayed.
    func sendConnectionMessage(_ state: inout VoiceHubState, to connectionID: Int, op: Int, d: WireJSON) {
        let seq = state.connections[connectionID]?.sessionKey.flatMap { state.sessions[$0]?.seq }
        send(&state, to: connectionID, VoiceGatewayPayloads.envelope(op: op, d: d, seq: seq), op: op, seq: seq)
    }

    func send(_ state: inout VoiceHubState, to connectionID: Int, _ payload: [UInt8], op: Int, seq: Int?, binary: Bool = false) {
        guard let connection = state.connections.open(connectionID) else { return }
        record(&state, connectionID, .sent, json: binary ? "" : String(decoding: payload, as: UTF8.self), op: op, seq: seq)
        connection.link.send(payload, binary: binary)
    }

    /// Send a close frame and hang up once the client answers (or after a second). Every code
    /// but 4015 ends the session it belonged to.
    func close(_ state: inout VoiceHubState, _ connectionID: Int, code: UInt16) {
        guard let connection = state.connections.open(connectionID) else { return }
        record(&state, connectionID, .sent, json: "", op: nil, seq: nil, closeCode: code)
        state.connections.close(connectionID, code: code, reason: VoiceClose.reason(code))
        if let key = connection.sessionKey, state.sessions[key]?.connectionID == connectionID {
            state.sessions[key]?.closeCodes.append(code)
            if !VoiceClose.keepsSessionResumable(code) { state.sessions[key]?.resumable = false }
        }
    }

    /// A TCP close with no close frame: what a network drop looks like. The session stays resumable.
    func drop(_ state: inout VoiceHubState, _ connectionID: Int) {
        state.connections.drop(connectionID)
    }

    func record(
        _ state: inout VoiceHubState, _ connectionID: Int, _ direction: RecordedVoiceFrame.Direction,
        json: String, op: Int?, seq: Int?, closeCode: UInt16? = nil
    ) {
        if state.frames.count >= VoiceLimits.frameRecordCap { state.frames.removeFirst(VoiceLimits.frameRecordCap / 10) }
        state.frames.append(RecordedVoiceFrame(
            connectionID: connectionID, voiceSessionID: state.connections[connectionID]?.sessionKey, direction: direction,
            op: op, seq: seq, json: json, closeCode: closeCode, timeMs: env.clock.nowMs()))
    }
}
