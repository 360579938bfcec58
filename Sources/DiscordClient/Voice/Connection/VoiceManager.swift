import BotHostCore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The host's voice connections, one per guild, for one Discord connection. Joins and leaves go
/// through the main gateway (op 4 on the guild's shard); the bot's VOICE_STATE_UPDATE and the
/// guild's VOICE_SERVER_UPDATE (routed here by `DiscordConnection`) start, restart and end the
/// voice sessions. Dispatch handling lives in VoiceManager+Dispatch.swift.
public final class VoiceManager: Sendable {
    /// Sends op 4's `d` on a shard of the main gateway.
    package typealias GatewaySend = @Sendable (_ shard: Int, _ data: [UInt8]) async throws -> Void

    package struct Guild {
        package var tracker: VoiceJoinTracker
        package var driverID: UInt64?
        package var driver: VoiceSessionDriver?
        package var session: VoiceSession?
        package var join: VoiceJoinRequest?
    }

    package struct State {
        package var userID: UInt64?
        package var shardCount = 1
        package var guilds: [UInt64: Guild] = [:]
        package var runs: [UInt64: Task<Void, Never>] = [:]
        package var nextDriverID: UInt64 = 0
        package var closed = false
    }

    package let settings: VoiceConnectionSettings
    package let sleeper: SchedulerSleeper
    package let clock: any HostClock
    package let logger: Logger
    package let group: any EventLoopGroup
    package let state = Mutex(State())
    private let gatewaySend = Mutex<GatewaySend?>(nil)

    /// - Parameters:
    ///   - scheduler: the host's timer scheduler; heartbeats, timeouts and backoff run on its clock.
    ///   - group: the event loops of the host's other sockets (the gateway's).
    package init(settings: VoiceConnectionSettings, scheduler: TimerScheduler, clock: any HostClock, logger: Logger,
         group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        sleeper = SchedulerSleeper(scheduler: scheduler)
        self.clock = clock
        var logger = logger
        logger[metadataKey: "subsystem"] = "voice"
        self.logger = logger
        self.group = group
    }

    /// Where op 4 goes; set by the Discord connection that owns this manager.
    package func useGateway(_ send: @escaping GatewaySend) {
        gatewaySend.withLock { $0 = send }
    }

    // MARK: public API

    /// Joins (or moves to) a voice channel and returns once the session is connected: UDP up,
    /// encryption mode and key known. Fails with a `VoiceConnectionError` saying why: a timeout
    /// naming the step Discord never completed, a final close code (e.g. 4017, end-to-end encryption refused), `leave`.
    /// A move returns the same session once it has connected to the new channel's voice server;
    /// joining the channel the session is already connected to returns that session at once.
    public func join(guildID: UInt64, channelID: UInt64, selfMute: Bool = false, selfDeaf: Bool = false) async throws -> VoiceSession {
        let request = VoiceJoinRequest(guildID: guildID, channelID: channelID)
        let (shard, alreadyThere) = try state.withLock { s throws(VoiceConnectionError) -> (Int, Bool) in
            guard !s.closed else { throw .sessionEnded(.shutdown) }
            guard s.userID != nil else { throw .gatewayNotReady }
            var guild = s.guilds[guildID] ?? Guild(tracker: VoiceJoinTracker(guildID: guildID, channelID: channelID))
            guard guild.join == nil else { throw .joinInProgress(guildID: guildID) }
            let alreadyThere = guild.tracker.channelID == channelID && guild.session?.state.isConnected == true
            guild.tracker.request(channelID: channelID)
            guild.join = request
            s.guilds[guildID] = guild
            return (Self.shard(for: guildID, count: s.shardCount), alreadyThere)
        }
        let deadline = sleeper.nowNs &+ SchedulerTime.nanoseconds(settings.joinTimeout)
        request.setTimer(sleeper.scheduler.schedule(atNs: deadline) { [weak self] in self?.joinTimedOut(request) })
        // Ask only after the request is recorded, so no answer can arrive before it is awaited.
        do {
            try await sendVoiceState(shard: shard, guildID: guildID, channelID: channelID, selfMute: selfMute, selfDeaf: selfDeaf)
        } catch {
            fail(request, with: error)
            throw error
        }
        // Otherwise the join completes when the session (re)connects in the requested channel.
        if alreadyThere { completeJoinIfReady(guildID) }
        return try await withTaskCancellationHandler {
            try await request.value()
        } onCancel: {
            self.fail(request, with: CancellationError())
        }
    }

    /// Leaves the guild's voice channel: op 4 with `channel_id: null`, then closes the voice
    /// WebSocket and the UDP socket. A join in progress fails. Sends op 4 even when no session is
    /// known here (the bot may still sit in a channel from an earlier run).
    public func leave(guildID: UInt64) async throws {
        let (shard, guild, run) = state.withLock { s -> (Int, Guild?, Task<Void, Never>?) in
            let guild = s.guilds.removeValue(forKey: guildID)
            return (Self.shard(for: guildID, count: s.shardCount), guild, guild?.driverID.flatMap { s.runs[$0] })
        }
        guild?.driver?.stop(.left)
        if let join = guild?.join { resolve(join, .failure(VoiceConnectionError.joinAbandoned(guildID: guildID))) }
        var sendError: (any Error)?
        do { try await sendVoiceState(shard: shard, guildID: guildID, channelID: nil, selfMute: false, selfDeaf: false) } catch {
            sendError = error
        }
        // Return with the voice WebSocket and the UDP socket closed, whatever op 4 did.
        await run?.value
        if let sendError { throw sendError }
    }

    /// The guild's session, once it has connected.
    public func session(guildID: UInt64) -> VoiceSession? {
        state.withLock { $0.guilds[guildID]?.session }
    }

    /// Every session that has connected, by guild.
    public var sessions: [UInt64: VoiceSession] {
        state.withLock { $0.guilds.compactMapValues(\.session) }
    }

    /// Ends every session (the host is stopping). Op 4 leaves are sent without waiting for them.
    public func shutdown() async {
        let (guilds, runs, shardCount) = state.withLock { s -> ([UInt64: Guild], [Task<Void, Never>], Int) in
            s.closed = true
            defer { s.guilds.removeAll() }
            return (s.guilds, Array(s.runs.values), s.shardCount)
        }
        for (guildID, guild) in guilds {
            guild.driver?.stop(.shutdown)
            if let join = guild.join { resolve(join, .failure(VoiceConnectionError.sessionEnded(.shutdown))) }
            leaveQuietly(guildID: guildID, shard: Self.shard(for: guildID, count: shardCount))
        }
        for run in runs { await run.value }
        sleeper.shutdown()
    }

    // MARK: joins

    /// Resolves the guild's pending join once the bot is in the requested channel and connected.
    package func completeJoinIfReady(_ guildID: UInt64) {
        let ready = state.withLock { s -> (VoiceJoinRequest, VoiceSession)? in
            guard var guild = s.guilds[guildID], let join = guild.join, let session = guild.session,
                  guild.tracker.isInTargetChannel, session.state.isConnected else { return nil }
            guild.join = nil
            s.guilds[guildID] = guild
            return (join, session)
        }
        if let (join, session) = ready { resolve(join, .success(session)) }
    }

    private func joinTimedOut(_ request: VoiceJoinRequest) {
        let missing = state.withLock { s -> String? in
            guard let guild = s.guilds[request.guildID], guild.join === request else { return nil }
            if let step = guild.tracker.missingStep { return step }
            let problem = guild.driver?.core.lastProblem.map { " (last problem: \($0))" } ?? ""
            return "the voice server handshake\(problem)"
        }
        guard let missing else { return }
        fail(request, with: VoiceConnectionError.joinTimedOut(guildID: request.guildID, channelID: request.channelID, waitingFor: missing))
    }

    /// Fails a pending join. A join that never got a session leaves again, so the bot does not sit
    /// in the channel without a voice connection; a failed move keeps the session it had.
    package func fail(_ request: VoiceJoinRequest, with error: any Error) {
        let (abandoned, shard) = state.withLock { s -> (Guild?, Int) in
            let shard = Self.shard(for: request.guildID, count: s.shardCount)
            guard var guild = s.guilds[request.guildID], guild.join === request else { return (nil, shard) }
            guild.join = nil
            if guild.session == nil {
                s.guilds.removeValue(forKey: request.guildID)
                return (guild, shard)
            }
            s.guilds[request.guildID] = guild
            return (nil, shard)
        }
        guard resolve(request, .failure(error)) else { return }
        logger.warning("voice join of channel \(request.channelID) in guild \(request.guildID) failed: \(error)")
        if let abandoned {
            let reason: VoiceDisconnectReason = (error as? VoiceConnectionError).map { .failed($0) } ?? .left
            abandoned.driver?.stop(reason)
            leaveQuietly(guildID: request.guildID, shard: shard)
        }
    }

    @discardableResult
    package func resolve(_ request: VoiceJoinRequest, _ result: Result<VoiceSession, any Error>) -> Bool {
        let (delivered, timer) = request.resolve(result)
        if let timer { sleeper.scheduler.cancel(timer) }
        return delivered
    }

    // MARK: gateway

    package func sendVoiceState(shard: Int, guildID: UInt64, channelID: UInt64?, selfMute: Bool, selfDeaf: Bool) async throws {
        guard let send = gatewaySend.withLock({ $0 }) else { throw VoiceConnectionError.gatewayNotReady }
        try await send(shard, VoiceClientPayload.voiceStateUpdate(guildID: guildID, channelID: channelID, selfMute: selfMute, selfDeaf: selfDeaf))
    }

    /// Op 4 with no channel, best effort (the session already ended on this side).
    package func leaveQuietly(guildID: UInt64, shard: Int) {
        Task { [logger] in
            do { try await self.sendVoiceState(shard: shard, guildID: guildID, channelID: nil, selfMute: false, selfDeaf: false) } catch {
                logger.debug("could not send the voice leave for guild \(guildID): \(error)")
            }
        }
    }

    /// Discord's rule: a guild's events and op 4 belong to shard (guild_id >> 22) % shard_count.
    package static func shard(for guildID: UInt64, count: Int) -> Int {
        Int((guildID >> 22) % UInt64(max(1, count)))
    }
}
