import BotHostCore
import Logging
import NIOCore

/// One shard's life: connect, identify or resume, serve the connection, and reconnect after it
/// ends — until Discord refuses it for good or the host stops it. The connection-level protocol
/// (Hello, heartbeats, dispatches) lives in GatewayShard+Connection.swift.
package actor GatewayShard {
    /// Why a connection ended, and so what comes next.
    package enum Outcome: Equatable {
        case stopped
        case fatal(GatewayError)
        /// `resume: false` forgets the session (and identifies on the gateway URL, not the resume URL).
        case reconnect(resume: Bool, wait: ReconnectWait = .backoff)
    }

    /// How long to wait before the next attempt. Only attempts that fail before completing their
    /// handshake (READY or RESUMED) grow the backoff; a completed one resets it.
    package enum ReconnectWait: Equatable {
        /// A drop or failure: the backoff's next delay.
        case backoff
        /// Discord asked for the reconnect (op 7): at once, when the connection had completed its
        /// handshake; a connection that never did still backs off, so a loop cannot storm.
        case immediately
        /// Invalid session (op 9): Discord's random 1–5 s, or the backoff if that is longer.
        case invalidSession
    }

    /// A session that can be resumed.
    package struct Session {
        package var id: String
        /// `resume_gateway_url`; nil means resume on the original URL.
        package var resumeEndpoint: WebSocketEndpoint?
    }

    /// One live connection; replaced on every reconnect.
    package struct Connection {
        package let serial: UInt64
        package let channel: any Channel
        package let resuming: Bool
        package var gotHello = false
        package var awaitingAck = false
        /// READY or RESUMED arrived on this connection.
        package var live = false
        /// READY or RESUMED arrived at some point (stays set when the connection ends).
        package var completed = false
        /// Set once the client decided to end the connection, to say why.
        package var outcome: Outcome?
        package var tasks: [Task<Void, Never>] = []
    }

    package let id: Int
    package let environment: ShardEnvironment
    package let logger: Logger
    package var session: Session?
    package var lastSequence: Int?
    package var connection: Connection?
    package var serial: UInt64 = 0
    package var backoff: ReconnectBackoff
    /// Whether the connection that ended last had completed its handshake.
    package var lastAttemptCompleted = false
    package var budget: SendBudget
    /// nil until the first report, so that the first `connecting` is reported too.
    package var state: ShardState?
    package var stopping = false
    private var liveWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var startWaiters: [CheckedContinuation<ShardState, Never>] = []
    private var nextWaiterID: UInt64 = 0
    /// The intents of the next identify: the configuration's, until `changeIntents`.
    package var intents: UInt64

    package init(id: Int, environment: ShardEnvironment) {
        self.id = id
        self.environment = environment
        var logger = environment.logger
        logger[metadataKey: "shard"] = "\(id)"
        self.logger = logger
        let configuration = environment.configuration
        backoff = ReconnectBackoff(base: configuration.reconnectBaseDelay, cap: configuration.reconnectMaxDelay)
        budget = SendBudget(limit: configuration.sendsPerMinute)
        intents = configuration.intents
    }

    /// Intents only take effect on a fresh identify (a resume keeps the old ones), so a change ends
    /// the session with 1000 and identifies again.
    package func changeIntents(_ newIntents: UInt64) async {
        guard newIntents != intents, !stopping else { return }
        intents = newIntents
        guard let current = connection, current.outcome == nil else {
            session = nil  // between connections: the next one identifies
            lastSequence = nil
            return
        }
        logger.info("gateway intents changed to \(newIntents); identifying again so that they take effect")
        await end(current.serial, .reconnect(resume: false), code: 1000)
    }

    package var configuration: GatewayConfiguration { environment.configuration }
    package var token: String { environment.configuration.token }

    // MARK: life

    /// Runs until stopped or refused; the caller cancels the task to interrupt a wait.
    package func run() async {
        while true {
            if stopping || Task.isCancelled { return finish(.requested) }
            let resuming = session != nil && lastSequence != nil
            let endpoint = resuming ? (session?.resumeEndpoint ?? environment.endpoint) : environment.endpoint
            report(.connecting)
            let outcome: Outcome
            var failure: String?
            do {
                let channel = try await WebSocketClient.connect(
                    to: endpoint, group: environment.group, timeout: configuration.connectTimeout,
                    maxMessageBytes: configuration.maxMessageBytes)
                outcome = await serve(channel, resuming: resuming)
            } catch {
                if stopping || Task.isCancelled { return finish(.requested) }
                lastAttemptCompleted = false
                failure = "could not connect to \(endpoint): \(redacted("\(error)"))"
                outcome = .reconnect(resume: true)
            }
            switch outcome {
            case .stopped:
                return finish(.requested)
            case .fatal(let error):
                logger.error("shard \(id) stopped: \(error)")
                return finish(.failed(error))
            case .reconnect(let resume, let wait):
                if !resume { session = nil; lastSequence = nil }
                let delay = reconnectDelay(wait)
                let how = session != nil && lastSequence != nil ? "resume" : "identify"
                // One line per wait, saying why when an attempt failed: a refusing server is
                // logged once per attempt, not once per symptom.
                if let failure {
                    logger.warning("\(failure); retrying in \(SchedulerTime.describe(delay)) to \(how) (attempt \(backoff.attempts))")
                } else if delay == .zero {
                    logger.info("reconnecting now to \(how)")
                } else {
                    logger.info("reconnecting in \(SchedulerTime.describe(delay)) to \(how)")
                }
                report(.reconnecting(after: delay))
                if delay > .zero {
                    do { try await environment.sleeper.sleep(for: delay) } catch { return finish(.requested) }
                }
            }
        }
    }

    /// The wait before the next attempt. A completed handshake reset the backoff already
    /// (`markLive`), so only consecutive attempts that failed before completing grow it.
    package func reconnectDelay(_ wait: ReconnectWait) -> Duration {
        switch wait {
        case .immediately where lastAttemptCompleted:
            return .zero
        case .invalidSession:
            let discordDelay = environment.invalidSessionDelay()
            if lastAttemptCompleted { return discordDelay }
            return max(discordDelay, backoff.next(random: environment.randomUnit()))
        case .immediately, .backoff:
            return backoff.next(random: environment.randomUnit())
        }
    }

    /// Ends the session (close 1000) and stops reconnecting.
    package func stop() async {
        stopping = true
        if var current = connection {
            if current.outcome == nil { current.outcome = .stopped }
            connection = current
            await WebSocketClient.close(current.channel, code: 1000)
        }
        // Also for a shard whose run never began (a later wave): its waiters must not hang.
        finish(.requested)
    }

    private func finish(_ reason: ShardStopReason) {
        stopping = true
        report(.stopped(reason))
    }

    package func report(_ newState: ShardState) {
        if let state, state == newState || state.isStopped { return }
        state = newState
        environment.recordState(id, newState)
        environment.sink.gatewayStateChanged(shard: id, state: newState)
        guard newState.isReady || newState.isStopped else { return }
        for waiter in startWaiters { waiter.resume(returning: newState) }
        startWaiters.removeAll()
        let waiters = liveWaiters
        liveWaiters.removeAll()
        for (_, waiter) in waiters {
            if newState.isStopped { waiter.resume(throwing: GatewayError.shardStopped(id)) } else { waiter.resume() }
        }
    }

    /// Returns once the shard is ready for the first time, or stopped.
    package func waitUntilStarted() async -> ShardState {
        if let state, state.isReady || state.isStopped { return state }
        return await withCheckedContinuation { startWaiters.append($0) }
    }

    // MARK: sending

    package var isLive: Bool { connection.map { $0.live && $0.outcome == nil } ?? false }

    /// Sends a caller's payload once the shard is ready and the send budget allows.
    package func send(_ payload: [UInt8]) async throws {
        while true {
            try await waitUntilLive()
            let slot = budget.reserve(nowNs: environment.sleeper.nowNs)
            do { try await environment.sleeper.sleep(untilNs: slot) } catch {
                if stopping { throw GatewayError.shardStopped(id) }
                throw error
            }
            // The connection may have changed while waiting; then wait for the next one.
            guard isLive, let channel = connection?.channel else { continue }
            do {
                try await WebSocketClient.send(payload, on: channel)
                return
            } catch {
                logger.debug("a send failed as the connection closed; retrying on the next connection")
            }
        }
    }

    private func waitUntilLive() async throws {
        if isLive { return }
        if stopping || state?.isStopped == true { throw GatewayError.shardStopped(id) }
        let waiterID = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { liveWaiters[waiterID] = continuation }
            }
        } onCancel: {
            Task { await self.cancelWaiter(waiterID) }
        }
    }

    private func cancelWaiter(_ waiterID: UInt64) {
        liveWaiters.removeValue(forKey: waiterID)?.resume(throwing: CancellationError())
    }

    /// Log text with the token scrubbed, for anything that quotes a payload or a remote error.
    package nonisolated func redacted(_ text: String) -> String {
        GatewayPayload.redact(text, token: environment.configuration.token)
    }
}
