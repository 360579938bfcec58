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
