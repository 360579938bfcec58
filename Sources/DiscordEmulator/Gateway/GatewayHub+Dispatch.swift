/// Dispatches (op 0): numbering, the per-session replay log, intent gating.
extension GatewayHub {
    /// Send one event to every live session the target selects. `data` gives the `d` bytes for
    /// a session, or nil to skip it (e.g. when it lacks the intent the event needs).
    @discardableResult
    func dispatch(event: String, target: DispatchTarget, data: (GatewaySession) -> [UInt8]?) -> Int {
        state.withLock { state in dispatch(&state, event: event, target: target, data: data) }
    }

    @discardableResult
    func dispatch(_ state: inout GatewayHubState, event: String, target: DispatchTarget, data: (GatewaySession) -> [UInt8]?) -> Int {
        let now = env.clock.nowMs()
        var delivered = 0
        for sessionID in state.sessions.keys.sorted() {
            // Decide on a copy that is gone before the write: while a copy lives, appending to the
            // session's replay log would copy the whole log on every dispatch.
            enum Decision { case skip, expire, send(d: [UInt8], seq: Int, connectionID: Int?) }
            let decision: Decision = {
                guard let session = state.sessions[sessionID] else { return .skip }
                if session.ended || (session.detachedAtMs.map { now - $0 > env.configuration.resumeWindowMs } ?? false) {
                    return session.ended && session.log.isEmpty ? .skip : .expire
                }
                let selected = switch target {
                case .guild(let guildID): session.receives(guildID: guildID)
                case .shard(let shard): session.shard == shard
                case .session(let id): session.id == id
                }
                guard selected, let d = data(session) else { return .skip }
                return .send(d: d, seq: session.seq + 1, connectionID: session.connectionID)
            }()
            guard case .send(let d, let seq, let connectionID) = decision else {
                if case .expire = decision {
                    state.sessions[sessionID]?.ended = true
                    state.sessions[sessionID]?.log = []
                }
                continue
            }
            let payload = Self.dispatchPayload(event: event, seq: seq, d: d)
            state.sessions[sessionID]?.seq = seq
            state.sessions[sessionID]?.append(seq: seq, payload: payload)
            if let connectionID {
                send(&state, to: connectionID, payload, op: GatewayOp.dispatch, t: event, s: seq)
            }
            delivered += 1
        }
        return delivered
    }

    /// A burst of one event to the sessions of `shard`: every frame is numbered, logged and
    /// compressed (on a zlib-stream connection) before the first is queued, so that what a
    /// benchmark times is the client's ingest, not this side's deflate. `beforeSending` runs once
    /// they are ready, just before they are queued, under the lock (read a clock, nothing more).
    @discardableResult
    func dispatchBurst(event: String, shard: Int, _ payloads: [[UInt8]], beforeSending: () -> Void) -> Int {
        state.withLock { state in
            var ready: [(link: WebSocketLink, frames: [[UInt8]], binary: Bool)] = []
            for sessionID in state.sessions.keys.sorted() {
                // Read on a copy that is gone before the appends below (see `dispatch`).
                let attached: (seq: Int, connectionID: Int)? = {
                    guard let session = state.sessions[sessionID], !session.ended, session.shard == shard,
                          let connectionID = session.connectionID else { return nil }
                    return (session.seq, connectionID)
                }()
                guard let attached, let connection = state.connections.open(attached.connectionID) else { continue }
                var frames: [[UInt8]] = []
                frames.reserveCapacity(payloads.count)
                var seq = attached.seq
                for d in payloads {
                    seq += 1
                    let payload = Self.dispatchPayload(event: event, seq: seq, d: d)
                    state.sessions[sessionID]?.append(seq: seq, payload: payload)
                    record(&state, attached.connectionID, .sent, json: String(decoding: payload, as: UTF8.self),
                           op: GatewayOp.dispatch, t: event, s: seq)
                    frames.append(connection.deflater?.compress(payload) ?? payload)
                }
                state.sessions[sessionID]?.seq = seq
                ready.append((connection.link, frames, connection.deflater != nil))
            }
            beforeSending()
            for (link, frames, binary) in ready {
                for frame in frames { link.send(frame, binary: binary) }
            }
            return ready.count
        }
    }

    /// `{"t":…,"s":…,"op":0,"d":…}` with `d` spliced in verbatim: the emulator never re-encodes
    /// what a test hands it, hostile or not.
    static func dispatchPayload(event: String, seq: Int, d: [UInt8]) -> [UInt8] {
        var out: [UInt8] = Array("{\"t\":".utf8)
        WireJSON.writeString(event, into: &out)
        out.append(contentsOf: Array(",\"s\":\(seq),\"op\":0,\"d\":".utf8))
        out.append(contentsOf: d.isEmpty ? Array("null".utf8) : d)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The event name of a stored dispatch, for the recorder when it is replayed.
    static func eventName(of payload: [UInt8]) -> String? {
        (try? WireJSONParser.parse(payload))?["t"]?.stringValue
    }

    func requestGuildMembers(_ state: inout GatewayHubState, sessionID: String, _ d: WireJSON) {
        guard let guildID = d["guild_id"]?.snowflake, let guild = env.topology.guild(guildID) else { return }
        let everyone = [env.topology.botUser] + guild.members
        var members = everyone
        var notFound: [WireJSON] = []
        if let ids = d["user_ids"] {
            let wanted = (ids.arrayValue ?? [ids]).compactMap(\.snowflake)
            members = everyone.filter { wanted.contains($0.id) }
            notFound = wanted.filter { id in !everyone.contains { $0.id == id } }.map(WireJSON.snowflake)
        } else if let query = d["query"]?.stringValue, !query.isEmpty {
            members = everyone.filter { $0.username.lowercased().hasPrefix(query.lowercased()) }
        }
        if let limit = d["limit"]?.int64Value, limit > 0 { members = Array(members.prefix(Int(limit))) }
        var chunk: WireJSON = [
            "guild_id": .snowflake(guildID),
            "members": .array(members.map { UserPayloads.member($0) }),
            "chunk_index": 0,
            "chunk_count": 1,
        ]
        if d["user_ids"] != nil { chunk = chunk.setting("not_found", .array(notFound)) }
        if let nonce = d["nonce"] { chunk = chunk.setting("nonce", nonce) }
        let bytes = chunk.bytes
        dispatch(&state, event: "GUILD_MEMBERS_CHUNK", target: .session(sessionID)) { _ in bytes }
    }
}
