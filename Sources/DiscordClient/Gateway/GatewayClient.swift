import BotHostCore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The host's connection to Discord's gateway: owns the shards, starts them in identify order,
/// and lets the host send payloads (presence, voice state) on a shard.
public final class GatewayClient: Sendable {
    private struct Running {
        var shards: [Int: GatewayShard] = [:]
        var tasks: [Task<Void, Never>] = []
        var scheduler: TimerScheduler?
        var sleeper: SchedulerSleeper?
    }

    private enum Phase {
        case idle
        case running(Running)
        case stopped
    }

    private let configuration: GatewayConfiguration
    private let fetchGatewayBot: @Sendable () async throws -> GatewayBotInfo
    private let sink: any GatewayEventSink
    private let logger: Logger
    private let clock: any HostClock
    private let random: @Sendable () -> Double
    private let group: any EventLoopGroup
    private let phase = Mutex(Phase.idle)
    private let states = Mutex([Int: ShardState]())
    private let shardTotal = Mutex(0)

    /// - Parameters:
    ///   - fetchGatewayBot: `GET /gateway/bot` through the host's REST client.
    ///   - random: values in [0, 1); jitter for heartbeats and reconnects (fixed in tests).
    public init(
        configuration: GatewayConfiguration,
        fetchGatewayBot: @escaping @Sendable () async throws -> GatewayBotInfo,
        sink: any GatewayEventSink,
        logger: Logger = Logger(label: "bothost.gateway"),
        clock: any HostClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.fetchGatewayBot = fetchGatewayBot
        self.sink = sink
        self.logger = logger
        self.clock = clock
        self.random = random
        group = MultiThreadedEventLoopGroup.singleton
    }

    /// The latest state of every shard.
    public var shardStates: [Int: ShardState] { states.withLock { $0 } }

    /// How many shards this client runs; 0 until `/gateway/bot` has been read.
    public var shardCount: Int { shardTotal.withLock { $0 } }

    /// The shards' sleeper while running (tests read what it waits for).
    package var sleeper: SchedulerSleeper? {
        phase.withLock { if case .running(let running) = $0 { running.sleeper } else { nil } }
    }

    /// Reads `/gateway/bot`, then starts the shards wave by wave in identify order. Returns when
    /// every shard is ready; throws if Discord refuses them (bad token, disallowed intents …),
    /// stopping the rest. Retries of dropped connections happen inside and do not throw.
    public func start() async throws {
        try phase.withLock { phase throws(GatewayError) in
            guard case .idle = phase else { throw .alreadyStarted }
            phase = .running(Running())
        }
        do {
            try await withTaskCancellationHandler {
                try await launch()
            } onCancel: {
                self.cancelShardTasks()
            }
        } catch {
            await stop()
            throw error
        }
    }

    private func launch() async throws {
        try configuration.validate()
        let scheduler = TimerScheduler(clock: clock, name: "bothost.gateway")
        let sleeper = SchedulerSleeper(scheduler: scheduler)
        guard update({ $0.scheduler = scheduler; $0.sleeper = sleeper }) else { scheduler.shutdown(); throw CancellationError() }
        let info = try await gatewayBotRetrying(sleeper: sleeper)
        let shardCount = configuration.shardCount ?? max(1, info.shards)
        shardTotal.withLock { $0 = shardCount }
        let endpoint = try WebSocketEndpoint.parse(configuration.urlOverride ?? info.url, compress: configuration.compress)
        try WebSocketClient.checkSupported(endpoint)

        let maxConcurrency = max(1, info.sessionStartLimit.maxConcurrency)
        let gate = IdentifyGate(limit: info.sessionStartLimit, spacing: configuration.identifyBucketSpacing,
                                sleeper: sleeper, logger: logger, refresh: fetchGatewayBot)
        let environment = ShardEnvironment(
            configuration: configuration, shardCount: shardCount, endpoint: endpoint, gate: gate,
            sleeper: sleeper, random: random, sink: sink, logger: logger,
            warnings: WarningThrottle(logger: logger, clock: clock), group: group,
            recordState: { [weak self] id, state in self?.states.withLock { $0[id] = state } })
        logger.info("starting \(shardCount) shard(s) on \(endpoint) (max_concurrency \(maxConcurrency), \(info.sessionStartLimit.remaining) of \(info.sessionStartLimit.total) session starts left)")
        try await gate.ensureSessionStarts(shardCount)

        // Every shard exists from the start, so `send` to a later wave waits rather than fails.
        let shards = Dictionary(uniqueKeysWithValues: (0..<shardCount).map { ($0, GatewayShard(id: $0, environment: environment)) })
        guard update({ $0.shards = shards }) else { throw CancellationError() }
        for wave in IdentifyGate.waves(shardIDs: Array(shards.keys), maxConcurrency: maxConcurrency) {
            let started = wave.compactMap { shards[$0] }
            for shard in started {
                let task = Task { await shard.run() }
                guard update({ $0.tasks.append(task) }) else {
                    await shard.stop()
                    task.cancel()
                    throw CancellationError()
                }
            }
            // The next wave starts once this one is up; the gate spaces their identifies.
            for shard in started {
                let state = await shard.waitUntilStarted()
                if case .stopped(.failed(let error)) = state { throw error }
                if case .stopped = state { throw CancellationError() }
            }
        }
        logger.info("all \(shardCount) shard(s) are ready")
    }

    /// `GET /gateway/bot`, retried with the reconnect backoff while Discord is unreachable or
    /// answers 5xx/429: an outage at start-up is waited out, not mistaken for a refusal. A refusal
    /// (`GatewayError.refused`, e.g. 401 for a bad token) ends the start at once.
    private func gatewayBotRetrying(sleeper: SchedulerSleeper) async throws -> GatewayBotInfo {
        var backoff = ReconnectBackoff(base: configuration.reconnectBaseDelay, cap: configuration.reconnectMaxDelay)
        while true {
            do {
                return try await fetchGatewayBot()
            } catch let error as GatewayError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let delay = backoff.next(random: ShardEnvironment.unit(random()))
                let text = GatewayPayload.redact("\(error)", token: configuration.token)
                logger.warning("GET /gateway/bot failed (\(text)); retrying in \(SchedulerTime.describe(delay)) (attempt \(backoff.attempts))")
                try await sleeper.sleep(for: delay)
            }
        }
    }

    /// Changes the running state; false once the client was stopped.
    private func update(_ change: (inout Running) -> Void) -> Bool {
        phase.withLock { phase in
            guard case .running(var running) = phase else { return false }
            change(&running)
            phase = .running(running)
            return true
        }
    }

    private func cancelShardTasks() {
        let tasks = phase.withLock { phase -> [Task<Void, Never>] in
            if case .running(let running) = phase { return running.tasks }
            return []
        }
        for task in tasks { task.cancel() }
    }

    /// Ends every session (close 1000) and stops the shards. The client cannot be started again.
    public func stop() async {
        let running = phase.withLock { phase -> Running? in
            defer { phase = .stopped }
            if case .running(let running) = phase { return running }
            return nil
        }
        guard let running else { return }
        await withTaskGroup(of: Void.self) { group in
            for shard in running.shards.values { group.addTask { await shard.stop() } }
        }
        // Wake whatever still waits (backoff, identify turns, queued sends), then let the shards end.
        running.sleeper?.shutdown()
        for task in running.tasks { task.cancel() }
        for task in running.tasks { await task.value }
        running.scheduler?.shutdown()
    }

    /// Identifies every shard again with `intents` (Discord takes intents only at identify). Each
    /// shard closes its session and reconnects; events in between are not replayed.
    public func changeIntents(_ intents: UInt64) async {
        let shards = phase.withLock { phase -> [GatewayShard] in
            if case .running(let running) = phase { return Array(running.shards.values) }
            return []
        }
        for shard in shards { await shard.changeIntents(intents) }
    }

    /// Sends `{"op": op, "d": data}` on a shard, e.g. op 3 presence update or op 4 voice state
    /// update. `data` must be one JSON value. Waits while the shard reconnects and while its send
    /// budget (Discord allows 120 payloads a minute) is spent; never drops the connection over it.
    public func send(shard shardID: Int, op: Int, data: [UInt8]) async throws {
        guard ![1, 2, 6].contains(op) else {
            throw GatewayError.invalidPayload("op \(op) (heartbeat, identify, resume) is the gateway client's own")
        }
        guard op >= 0 else { throw GatewayError.invalidPayload("op \(op) is not an opcode") }
        guard GatewayFields.isSingleValue(data), String(validating: data, as: UTF8.self) != nil else {
            throw GatewayError.invalidPayload("d is not one valid JSON value in UTF-8")
        }
        let payload = GatewayPayload.event(op: op, data: data)
        guard payload.count <= GatewayPayload.maxBytes else {
            throw GatewayError.invalidPayload("the payload is \(payload.count) bytes; Discord accepts at most \(GatewayPayload.maxBytes)")
        }
        let shard = try phase.withLock { phase throws(GatewayError) -> GatewayShard in
            guard case .running(let running) = phase, !running.shards.isEmpty else { throw .shardStopped(shardID) }
            guard let shard = running.shards[shardID] else { throw .unknownShard(shardID) }
            return shard
        }
        try await shard.send(payload)
    }
}
