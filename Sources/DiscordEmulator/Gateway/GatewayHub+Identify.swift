/// Identify (op 2) and Resume (op 6): authentication, intents, sharding, the identify rate
/// limit, and replay of missed events.
extension GatewayHub {
    func identify(_ state: inout GatewayHubState, _ connectionID: Int, _ d: WireJSON, nowMs: Int64) {
        guard let connection = state.connections[connectionID] else { return }
        guard connection.sessionID == nil else { return close(&state, connectionID, code: GatewayClose.alreadyAuthenticated) }
        guard d.objectMembers != nil, let token = d["token"]?.stringValue, let intentsValue = d["intents"]?.int64Value, intentsValue >= 0 else {
            return close(&state, connectionID, code: GatewayClose.decodeError)
        }
        let intents = UInt64(intentsValue)
        var shard = 0
        var shardCount = 1
        if let shardValue = d["shard"], !shardValue.isNull {
            guard let pair = shardValue.arrayValue, pair.count == 2, let id = pair[0].int64Value, let count = pair[1].int64Value,
                  abs(id) < 1 << 31, abs(count) < 1 << 31 else {
                return close(&state, connectionID, code: GatewayClose.decodeError)
            }
            shard = Int(id)
            shardCount = Int(count)
        }
        let config = env.configuration
        func reject(_ code: UInt16) {
            env.recorder.record(RecordedIdentify(
                connectionID: connectionID, shard: shard, shardCount: shardCount, intents: intents, timeMs: nowMs, outcome: .closed(code: code),
                viaResumeURL: connection.viaResumeURL))
            close(&state, connectionID, code: code)
        }
        guard token == config.token else { return reject(GatewayClose.authenticationFailed) }
        guard intents & ~Intents.all == 0 else { return reject(GatewayClose.invalidIntents) }
        guard intents & Intents.privileged & ~config.privilegedIntentsAllowed == 0 else { return reject(GatewayClose.disallowedIntents) }
        guard shardCount >= 1, shard >= 0, shard < shardCount else { return reject(GatewayClose.invalidShard) }
        let guildIDs = env.topology.guilds.map(\.id).filter { Topology.shard(of: $0, shardCount: shardCount) == shard }
        guard guildIDs.count <= GatewayLimits.maxGuildsPerShard else { return reject(GatewayClose.shardingRequired) }
        // Exhausting session starts resets the token on Discord; from then on identify fails.
        refreshSessionStartWindow(&state, nowMs: nowMs)
        guard state.identifiesSpent < sessionStartBudget(state) else { return reject(GatewayClose.authenticationFailed) }

        let bucket = shard % max(1, config.maxConcurrency)
        if let last = state.identifyBucketsMs[bucket], nowMs - last < GatewayLimits.identifyIntervalMs {
            env.recorder.record(RecordedIdentify(
                connectionID: connectionID, shard: shard, shardCount: shardCount, intents: intents, timeMs: nowMs, outcome: .invalidSession,
                viaResumeURL: connection.viaResumeURL))
            send(&state, to: connectionID, Self.control(op: GatewayOp.invalidSession, d: false), op: GatewayOp.invalidSession)
            return
        }
        state.identifyBucketsMs[bucket] = nowMs
        state.identifiesSpent += 1
        if state.firstIdentifyMs == nil { state.firstIdentifyMs = nowMs }

        // An older session of the same shard that nobody is connected to is abandoned.
        for (id, session) in state.sessions where session.shard == shard && session.shardCount == shardCount && session.connectionID == nil {
            state.sessions[id]?.ended = true
            state.sessions[id]?.log = []
        }
        let sessionID = RandomTokens.sessionID()
        state.sessions[sessionID] = GatewaySession(id: sessionID, shard: shard, shardCount: shardCount, intents: intents, connectionID: connectionID)
        state.connections[connectionID]?.sessionID = sessionID
        state.connections[connectionID]?.shard = shard
        env.recorder.record(RecordedIdentify(
            connectionID: connectionID, shard: shard, shardCount: shardCount, intents: intents, timeMs: nowMs,
            outcome: .accepted(sessionID: sessionID), viaResumeURL: connection.viaResumeURL))

        let explicitShard = d["shard"].map { !$0.isNull } ?? false
        let ready = ReadyPayload.make(
            sessionID: sessionID, shard: explicitShard ? (shard, shardCount) : nil, guildIDs: guildIDs, env: env).bytes
        dispatch(&state, event: "READY", target: .session(sessionID)) { _ in ready }
        guard intents & Intents.guilds != 0 else { return }
        for guildID in guildIDs {
            guard let guild = env.topology.guild(guildID) else { continue }
            let (voice, presences) = world.withLock { ($0.members.voiceStates(in: guildID), $0.members.presences(in: guildID)) }
            let voiceStates = voice.map { state in
                VoicePayloads.voiceState(state, channelID: state.channelID, guildID: guildID, user: env.topology.user(state.userID), inGuildCreate: true)
            }
            let payload = GuildPayloads.guildCreate(
                guild, bot: env.topology.botUser, voiceStates: voiceStates,
                presences: intents & Intents.guildPresences != 0 ? presences : []).bytes
            dispatch(&state, event: "GUILD_CREATE", target: .session(sessionID)) { _ in payload }
        }
    }

    func resume(_ state: inout GatewayHubState, _ connectionID: Int, _ d: WireJSON, nowMs: Int64) {
        guard let connection = state.connections[connectionID] else { return }
        guard connection.sessionID == nil else { return close(&state, connectionID, code: GatewayClose.alreadyAuthenticated) }
        guard d.objectMembers != nil, let token = d["token"]?.stringValue, let sessionID = d["session_id"]?.stringValue else {
            return close(&state, connectionID, code: GatewayClose.decodeError)
        }
        guard token == env.configuration.token else { return close(&state, connectionID, code: GatewayClose.authenticationFailed) }
        let seq = d["seq"]?.int64Value.map(Int.init) ?? 0
        func refuse() {
            send(&state, to: connectionID, Self.control(op: GatewayOp.invalidSession, d: false), op: GatewayOp.invalidSession)
        }
        guard var session = state.sessions[sessionID], !session.ended else { return refuse() }
        if let detached = session.detachedAtMs, nowMs - detached > env.configuration.resumeWindowMs {
            state.sessions[sessionID]?.ended = true
            return refuse()
        }
        // A seq from the future, or from before what the replay buffer still holds, cannot be resumed.
        let oldestKept = session.log.first?.seq ?? session.seq + 1
        guard seq >= 0, seq <= session.seq, seq >= oldestKept - 1 else { return refuse() }

        if let previous = session.connectionID, previous != connectionID {
            state.connections[previous]?.sessionID = nil
            drop(&state, previous)
        }
        session.connectionID = connectionID
        session.detachedAtMs = nil
        state.sessions[sessionID] = session
        state.connections[connectionID]?.sessionID = sessionID
        state.connections[connectionID]?.shard = session.shard
        for entry in session.log where entry.seq > seq {
            send(&state, to: connectionID, entry.payload, op: GatewayOp.dispatch, t: Self.eventName(of: entry.payload), s: entry.seq)
        }
        let resumed: WireJSON = ["_trace": ["[\"gateway-prd-emulator-1\",{\"micros\":300}]"]]
        let bytes = resumed.bytes
        dispatch(&state, event: "RESUMED", target: .session(sessionID)) { _ in bytes }
    }

    // MARK: session_start_limit

    func sessionStartLimit(nowMs: Int64) -> (total: Int, remaining: Int, resetAfterMs: Int64) {
        state.withLock { state in
            refreshSessionStartWindow(&state, nowMs: nowMs)
            let remaining = max(0, sessionStartBudget(state) - state.identifiesSpent)
            let resetAfter: Int64 = if let first = state.firstIdentifyMs {
                max(0, first + GatewayLimits.sessionStartWindowMs - nowMs)
            } else if remaining < GatewayLimits.sessionStartTotal {
                GatewayLimits.sessionStartWindowMs
            } else {
                0
            }
            return (GatewayLimits.sessionStartTotal, remaining, resetAfter)
        }
    }

    /// Before the first 24-hour window resets, the configured remaining count applies; after it
    /// the full daily total does.
    private func sessionStartBudget(_ state: GatewayHubState) -> Int {
        state.sessionWindowReset ? GatewayLimits.sessionStartTotal : env.configuration.sessionStartRemaining
    }

    private func refreshSessionStartWindow(_ state: inout GatewayHubState, nowMs: Int64) {
        guard let first = state.firstIdentifyMs, nowMs - first >= GatewayLimits.sessionStartWindowMs else { return }
        state.firstIdentifyMs = nil
        state.identifiesSpent = 0
        state.sessionWindowReset = true
    }
}
