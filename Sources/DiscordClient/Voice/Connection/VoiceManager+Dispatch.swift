import Logging

/// The main-gateway dispatches voice needs, routed here by `DiscordConnection` (they still reach
/// the bus as before): READY for the bot's user id and the shard count, the bot's own
/// VOICE_STATE_UPDATE and the guild's VOICE_SERVER_UPDATE for the join state machine.
extension VoiceManager {
    package func gatewayReady(_ ready: ReadyEvent) {
        guard let userID = ready.userID else {
            logger.warning("READY without a usable user id; voice cannot join until one arrives")
            return
        }
        state.withLock { s in
            s.userID = userID
            if let count = ready.shardCount { s.shardCount = count }
        }
    }

    package func voiceStateUpdate(_ data: ArraySlice<UInt8>) {
        let update: VoiceDispatchFields.VoiceState
        do { update = try VoiceDispatchFields.voiceState(data) } catch {
            logger.warning("ignored a VOICE_STATE_UPDATE voice cannot read (\(error))")
            return
        }
        guard let guildID = update.guildID else { return }
        let actions = state.withLock { s -> [Action] in
            guard update.userID == s.userID, var guild = s.guilds[guildID] else { return [] }
            let steps = guild.tracker.voiceState(channelID: update.channelID, sessionID: update.sessionID)
            return apply(steps, to: &guild, guildID: guildID, in: &s)
        }
        perform(actions)
    }

    package func voiceServerUpdate(_ data: ArraySlice<UInt8>) {
        let update: VoiceDispatchFields.VoiceServer
        do { update = try VoiceDispatchFields.voiceServer(data) } catch {
            logger.warning("ignored a VOICE_SERVER_UPDATE voice cannot read (\(error))")
            return
        }
        if update.endpoint == nil { logger.info("guild \(update.guildID): the voice server is being reallocated (endpoint null)") }
        let actions = state.withLock { s -> [Action] in
            guard var guild = s.guilds[update.guildID] else { return [] }
            let steps = guild.tracker.voiceServer(token: update.token, endpoint: update.endpoint)
            return apply(steps, to: &guild, guildID: update.guildID, in: &s)
        }
        perform(actions)
    }

    /// What to do once the lock is released.
    package enum Action {
        case start(VoiceSessionDriver, id: UInt64)
        case restart(VoiceSessionDriver, VoiceCredentials)
        case update(VoiceSessionDriver, VoiceCredentials)
        case suspend(VoiceSessionDriver)
        case stop(VoiceSessionDriver?, join: VoiceJoinRequest?, reason: VoiceDisconnectReason)
    }

    /// Turns the tracker's steps into changes of the guild's entry (stored back into `s`) and
    /// the driver commands to perform.
    private func apply(_ steps: [VoiceJoinTracker.Step], to guild: inout Guild, guildID: UInt64, in s: inout State) -> [Action] {
        var actions: [Action] = []
        for step in steps {
            switch step {
            case .connect(let credentials):
                if let driver = guild.driver {
                    actions.append(.restart(driver, credentials))
                } else if let userID = s.userID {
                    s.nextDriverID += 1
                    let id = s.nextDriverID
                    let driver = makeDriver(id: id, guildID: guildID, userID: userID,
                                            channelID: guild.tracker.channelID ?? guild.tracker.targetChannelID, credentials: credentials)
                    guild.driver = driver
                    guild.driverID = id
                    actions.append(.start(driver, id: id))
                }
            case .update(let credentials):
                if let driver = guild.driver { actions.append(.update(driver, credentials)) }
            case .suspend:
                if let driver = guild.driver { actions.append(.suspend(driver)) }
            case .moved(let channelID):
                logger.info("guild \(guildID): the bot was moved to voice channel \(channelID)")
                guild.driver?.core.channelID = channelID
            case .ended:
                s.guilds.removeValue(forKey: guildID)
                actions.append(.stop(guild.driver, join: guild.join,
                                     reason: .disconnected("Discord reports the bot in no voice channel: kicked, moved out, or the channel was deleted")))
                return actions
            }
        }
        s.guilds[guildID] = guild
        return actions
    }

    private func perform(_ actions: [Action]) {
        for action in actions {
            switch action {
            case .start(let driver, let id):
                let run = Task { await driver.run() }
                let closed = state.withLock { s -> Bool in
                    // A driver that already ended (a very fast failure) has no run to keep.
                    if !s.closed, s.guilds.values.contains(where: { $0.driverID == id }) { s.runs[id] = run }
                    return s.closed
                }
                if closed { driver.stop(.shutdown) }
            case .restart(let driver, let credentials):
                driver.restart(with: credentials)
            case .update(let driver, let credentials):
                driver.update(credentials)
            case .suspend(let driver):
                driver.suspend()
            case .stop(let driver, let join, let reason):
                driver?.stop(reason)
                if let join { resolve(join, .failure(VoiceConnectionError.sessionEnded(reason))) }
            }
        }
    }

    private func makeDriver(id: UInt64, guildID: UInt64, userID: UInt64, channelID: UInt64, credentials: VoiceCredentials) -> VoiceSessionDriver {
        let environment = VoiceSessionDriver.Environment(
            guildID: guildID, userID: userID, settings: settings, group: group, sleeper: sleeper, clock: clock, logger: logger,
            connected: { [weak self] session in self?.driverConnected(id: id, guildID: guildID, session: session) },
            ended: { [weak self] reason in self?.driverEnded(id: id, guildID: guildID, reason: reason) })
        return VoiceSessionDriver(environment: environment, channelID: channelID, credentials: credentials)
    }

    private func driverConnected(id: UInt64, guildID: UInt64, session: VoiceSession) {
        state.withLock { s in
            guard var guild = s.guilds[guildID], guild.driverID == id else { return }
            guild.session = session
            s.guilds[guildID] = guild
        }
        completeJoinIfReady(guildID)
    }

    /// A session that ended by itself (a final close code, reconnects exhausted, 4014) leaves the
    /// channel on the main gateway too; one the manager stopped was already removed.
    private func driverEnded(id: UInt64, guildID: UInt64, reason: VoiceDisconnectReason) {
        let (owned, shard) = state.withLock { s -> (Guild?, Int) in
            s.runs.removeValue(forKey: id)
            guard let guild = s.guilds[guildID], guild.driverID == id else { return (nil, 0) }
            s.guilds.removeValue(forKey: guildID)
            return (guild, Self.shard(for: guildID, count: s.shardCount))
        }
        guard let owned else { return }
        if let join = owned.join {
            // The join's own error says it best (e.g. end-to-end encryption refused), not "session ended".
            let error: VoiceConnectionError = if case .failed(let failure) = reason { failure } else { .sessionEnded(reason) }
            resolve(join, .failure(error))
        }
        leaveQuietly(guildID: guildID, shard: shard)
    }
}
