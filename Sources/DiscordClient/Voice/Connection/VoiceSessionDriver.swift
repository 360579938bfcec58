import BotHostCore
import Logging
import NIOCore
import Synchronization

/// Runs one guild's voice session: connect the voice WebSocket, identify or resume, establish
/// the UDP transport, and reconnect after the connection ends — until the manager stops it or an
/// ending close code arrives. The connection protocol lives in VoiceSessionDriver+Connection.swift
/// and the transport handshake in VoiceSessionDriver+Transport.swift.
///
/// The manager steers it from outside the actor (restart with new credentials, suspend, stop)
/// through `control`, which closes the current socket so the loop picks the change up at once.
package actor VoiceSessionDriver {
    package struct Environment: Sendable {
        package let guildID: UInt64
        package let userID: UInt64
        package let settings: VoiceConnectionSettings
        package let group: any EventLoopGroup
        package let sleeper: SchedulerSleeper
        /// Heartbeat nonces are its milliseconds.
        package let clock: any HostClock
        package let logger: Logger
        /// Every time the session (re)connects.
        package let connected: @Sendable (VoiceSession) -> Void
        /// Once, when the session ends.
        package let ended: @Sendable (VoiceDisconnectReason) -> Void
    }

    /// Why a connection ended, and so what comes next.
    package enum Outcome: Equatable {
        /// The manager changed something (new credentials, suspend, stop): the loop rereads `control`.
        case controlChanged
        case retry(resume: Bool, problem: String)
        /// Identify afresh: the session cannot be resumed.
        case newSession(problem: String)
        /// Close 4014: wait for Discord to assign a new voice server, or end.
        case awaitNewServer(problem: String)
        case end(VoiceDisconnectReason)
    }

    /// What the manager can change while the driver runs.
    package struct Control {
        package var credentials: VoiceCredentials
        /// Bumped by every new set of credentials: a new voice session.
        package var generation: UInt64 = 0
        /// Bumped by every command, so a loop that read an older one knows to look again.
        package var version: UInt64 = 0
        package var suspended = false
        package var stopReason: VoiceDisconnectReason?
        package var channel: (any Channel)?
        package var wait: Task<Void, any Error>?
    }

    /// One WebSocket connection; replaced on every reconnect.
    package struct Connection {
        package let serial: UInt64
        package let channel: any Channel
        package let credentials: VoiceCredentials
        package let resuming: Bool
        package var gotHello = false
        package var unackedHeartbeats = 0
        package var chosenMode: VoiceEncryptionMode?
        package var ssrc: UInt32?
        /// The UDP socket opened after Ready, until Session Description makes it the transport's.
        package var pendingSocket: VoiceUDPSocket?
        package var externalAddress: VoiceExternalAddress?
        /// Session Description or Resumed arrived on this connection.
        package var established = false
        /// Set once the driver decided to end the connection, to say why.
        package var outcome: Outcome?
        package var tasks: [Task<Void, Never>] = []
    }

    package nonisolated let environment: Environment
    package nonisolated let core: VoiceSessionCore
    private nonisolated let control: Mutex<Control>
    package let logger: Logger
    /// Warnings a misbehaving voice server could repeat per message.
    package let warnings: WarningThrottle

    /// Handed to the manager at the first connect; lives as long as the driver.
    package var session: VoiceSession?
    /// The established transport; survives resumes, replaced by a new session.
    package var transport: VoiceTransport?
    /// The last `seq` the server sent on this session (-1: none yet).
    package var lastSequence = -1
    /// The speaking state the server last heard, and for which SSRC.
    package var announcedSpeaking: (flags: VoiceSpeakingFlags, ssrc: UInt32)?
    package var connection: Connection?
    package var serial: UInt64 = 0
    private var backoff: ReconnectBackoff
    private var failures = 0
    private var finished = false

    package init(environment: Environment, channelID: UInt64, credentials: VoiceCredentials) {
        self.environment = environment
        core = VoiceSessionCore(guildID: environment.guildID, channelID: channelID,
                                endToEnd: environment.settings.makeEndToEndSession?(environment.userID))
        control = Mutex(Control(credentials: credentials))
        var logger = environment.logger
        logger[metadataKey: "voice-guild"] = "\(environment.guildID)"
        self.logger = logger
        warnings = WarningThrottle(logger: logger)
        backoff = ReconnectBackoff(base: environment.settings.reconnectBaseDelay, cap: environment.settings.reconnectMaxDelay)
    }

    package var settings: VoiceConnectionSettings { environment.settings }

    // MARK: commands from the manager (any thread)

    /// A new voice session on these credentials (a new VOICE_SERVER_UPDATE or session id).
    package nonisolated func restart(with credentials: VoiceCredentials) {
        command { c in
            c.credentials = credentials
            c.generation += 1
            c.suspended = false
        }
    }

    /// The same voice session goes on, but later identifies and resumes use these credentials
    /// (a new session_id arrived before the server update that will restart the session).
    package nonisolated func update(_ credentials: VoiceCredentials) {
        control.withLock { $0.credentials = credentials }
    }

    /// The voice server is being reallocated: drop the connection and wait for `restart`.
    package nonisolated func suspend() {
        command { $0.suspended = true }
    }

    /// Ends the session for good.
    package nonisolated func stop(_ reason: VoiceDisconnectReason) {
        command { c in if c.stopReason == nil { c.stopReason = reason } }
    }

    private nonisolated func command(_ change: (inout Control) -> Void) {
        let (channel, wait) = control.withLock { c -> ((any Channel)?, Task<Void, any Error>?) in
            change(&c)
            c.version += 1
            return (c.channel, c.wait)
        }
        wait?.cancel()
        if let channel { Task { await WebSocketClient.close(channel, code: VoiceCloseCode.normal) } }
    }

    package nonisolated var controlVersion: UInt64 { control.withLock { $0.version } }

    /// Makes `channel` the one commands close, unless a command came after `version`.
    package nonisolated func adopt(_ channel: any Channel, ifUnchangedSince version: UInt64) -> Bool {
        control.withLock { c in
            guard c.version == version else { return false }
            c.channel = channel
            return true
        }
    }

    package nonisolated func release(_ channel: any Channel) {
        control.withLock { c in if let current = c.channel, current === channel { c.channel = nil } }
    }

    // MARK: life

    package func run() async {
        var resumeNext = false
        var activeGeneration: UInt64?
        while true {
            let (version, snapshot) = control.withLock { ($0.version, $0) }
            if let reason = snapshot.stopReason { return await finish(reason) }
            if Task.isCancelled { return await finish(.shutdown) }
            if snapshot.suspended {
                logger.info("the voice server is being reallocated; waiting for the next one")
                await dropTransport()
                core.report(.connecting)
                if await waitForCommand(since: version, timeout: settings.serverReassignmentTimeout) == .timedOut {
                    return await finish(.disconnected("Discord assigned no new voice server within \(SchedulerTime.describe(settings.serverReassignmentTimeout))"))
                }
                continue
            }
            if snapshot.generation != activeGeneration {
                if activeGeneration != nil { logger.info("new voice credentials: starting a new voice session") }
                activeGeneration = snapshot.generation
                await dropTransport()
                resumeNext = false
                failures = 0
                backoff.reset()
            }
            let resuming = resumeNext && transport != nil
            core.report(resuming ? .resuming : .connecting)
            let outcome = await connectAndServe(snapshot.credentials, version: version, resuming: resuming)
            switch outcome {
            case .controlChanged:
                continue
            case .end(let reason):
                return await finish(reason)
            case .awaitNewServer(let problem):
                core.lastProblem = problem
                logger.info("the voice server disconnected the session (\(problem)); not reconnecting unless Discord assigns a new voice server")
                await dropTransport()
                core.report(.connecting)
                if await waitForCommand(since: version, timeout: settings.serverReassignmentTimeout) == .timedOut {
                    return await finish(.disconnected(problem))
                }
            case .newSession(let problem), .retry(_, let problem):
                if case .newSession = outcome { await dropTransport() }
                if case .retry(let resume, _) = outcome { resumeNext = resume } else { resumeNext = false }
                core.lastProblem = problem
                failures += 1
                if failures > settings.maxReconnectAttempts {
                    return await finish(.failed(.reconnectFailed(attempts: failures - 1, lastProblem: problem)))
                }
                let delay = backoff.next(random: settings.randomUnit())
                let how = resumeNext && transport != nil ? "resume" : "identify"
                logger.info("voice connection lost (\(problem)); reconnecting in \(SchedulerTime.describe(delay)) to \(how)")
                core.report(how == "resume" ? .resuming : .connecting)
                _ = await waitForCommand(since: version, timeout: delay)
            }
        }
    }

    private func connectAndServe(_ credentials: VoiceCredentials, version: UInt64, resuming: Bool) async -> Outcome {
        let endpoint: WebSocketEndpoint
        do { endpoint = try VoiceEndpoint.webSocket(for: credentials.endpoint, secure: settings.secureWebSocket) } catch {
            return .end(.failed(error))
        }
        do {
            let channel = try await WebSocketClient.connect(to: endpoint, group: environment.group, timeout: settings.connectTimeout,
                                                          maxMessageBytes: settings.maxMessageBytes)
            return await serve(channel, credentials: credentials, version: version, resuming: resuming)
        } catch {
            if controlVersion != version { return .controlChanged }
            return .retry(resume: resuming, problem: "could not connect to \(endpoint): \(error)")
        }
    }

    package enum WaitResult { case commanded, timedOut }

    /// Waits `timeout` on the host clock, returning early when a command arrives.
    private func waitForCommand(since version: UInt64, timeout: Duration) async -> WaitResult {
        let sleeper = environment.sleeper
        let wait = Task { try await sleeper.sleep(for: timeout) }
        let current = control.withLock { c -> Bool in
            guard c.version == version else { return false }
            c.wait = wait
            return true
        }
        if !current { wait.cancel() }
        let slept = await wait.result
        control.withLock { c in if c.wait == wait { c.wait = nil } }
        if case .success = slept { return .timedOut }
        // Cancelled without a command: the clock's scheduler is gone (the host is stopping).
        if controlVersion == version { stop(.shutdown) }
        return .commanded
    }

    /// Closes the transport (UDP socket) of the current voice session; the next connection identifies.
    package func dropTransport() async {
        let old = transport
        transport = nil
        lastSequence = -1
        await old?.close()
    }

    private func finish(_ reason: VoiceDisconnectReason) async {
        guard !finished else { return }
        finished = true
        await dropTransport()
        core.setDatagramHandler(nil)
        logger.info("voice session ended: \(reason)")
        core.report(.disconnected(reason))
        environment.ended(reason)
    }

    /// Called when Session Description or Resumed arrives: the session is usable again.
    package func markConnected(_ transport: VoiceTransport) {
        failures = 0
        backoff.reset()
        let session: VoiceSession
        if let existing = self.session {
            existing.replaceTransport(transport)
            session = existing
        } else {
            session = VoiceSession(core: core, transport: transport, driver: self)
            self.session = session
        }
        core.report(.connected(mode: transport.mode, ssrc: transport.ssrc))
        environment.connected(session)
    }
}
