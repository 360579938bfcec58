import BotHostCore
import NIOCore
import NIOWebSocket

/// One connection's protocol: Hello, identify or resume, heartbeats and zombie detection,
/// dispatches in sequence order, and the ways Discord asks the client to go (op 7, op 9, close).
extension GatewayShard {
    package func serve(_ channel: WebSocketChannel, resuming: Bool) async -> Outcome {
        serial += 1
        let current = Connection(serial: serial, channel: channel.channel, resuming: resuming)
        connection = current
        if stopping {
            await WebSocketClient.close(channel.channel, code: 1000)
        } else {
            watchForHello(current.serial)
        }
        var closeCode: Int?
        var dropped = true
        var streamLost = false
        do {
            let reader = try GatewayFrameReader(compressed: configuration.compress, maxMessageBytes: configuration.maxMessageBytes)
            try await channel.executeThenClose { inbound, _ in
                reading: for try await frame in inbound {
                    switch try reader.read(frame) {
                    case .message(let bytes):
                        await handle(bytes, serial: current.serial)
                    case .close(let code, let reason):
                        closeCode = code
                        dropped = false
                        // A close the client started needs no answer; Discord's own gets its echo.
                        if connection?.outcome == nil {
                            logger.info("the gateway closed the connection (\(code.map(String.init) ?? "no code")\(reason.isEmpty ? "" : ": " + redacted(reason)))")
                            await WebSocketClient.close(channel.channel, code: UInt16(clamping: code ?? 1000))
                        }
                        break reading
                    case .ping(let data):
                        WebSocketClient.pong(data, on: channel.channel)
                    case .nothing:
                        break
                    }
                    if connection?.outcome != nil { break reading }
                }
            }
        } catch {
            if connection?.outcome == nil && !stopping {
                if error is ZlibStreamError {
                    // Nothing more on this connection decodes: resume at once on a new one.
                    streamLost = true
                    environment.warnings.warning("inflate.\(id)", "the compressed gateway stream is broken (\(error)); reconnecting at once to resume")
                } else {
                    logger.warning("the connection failed: \(redacted("\(error)"))")
                }
            }
        }
        let ended = connection
        for task in ended?.tasks ?? [] { task.cancel() }
        connection = nil
        lastAttemptCompleted = ended?.completed ?? false
        if let decided = ended?.outcome { return decided }
        if stopping { return .stopped }
        if streamLost { return .reconnect(resume: true, wait: .immediately) }
        if dropped { logger.info("the connection dropped") }
        switch GatewayCloseCode.action(for: closeCode, shardID: id, shardCount: environment.shardCount, intents: intents) {
        case .resume: return .reconnect(resume: true)
        case .identify: return .reconnect(resume: false)
        case .stop(let error): return .fatal(error)
        }
    }

    /// Ends the current connection for `outcome`, keeping the session unless told otherwise.
    package func end(_ serial: UInt64, _ outcome: Outcome, code: UInt16 = GatewayCloseCode.reconnecting) async {
        guard var current = connection, current.serial == serial, current.outcome == nil else { return }
        current.outcome = outcome
        current.live = false
        connection = current
        await WebSocketClient.close(current.channel, code: code)
    }

    // MARK: messages

    private func handle(_ bytes: [UInt8], serial: UInt64) async {
        let envelope: GatewayEnvelope
        do { envelope = try GatewayEnvelope.scan(bytes) } catch {
            // Discord sends only valid payloads: one that is not means the zlib stream lost sync
            // (or the connection is corrupt), and nothing after it on this connection can be
            // trusted. Resuming replays what follows the last good sequence.
            environment.warnings.warning("payload.\(id)", "a gateway message is not a valid payload (\(error)); the stream is lost, reconnecting at once to resume")
            await end(serial, .reconnect(resume: true, wait: .immediately))
            return
        }
        let data = envelope.data.map { bytes[$0] } ?? []
        switch envelope.op {
        case 0: dispatch(envelope, data: data)
        case 1: await heartbeat(serial, requested: true)
        case 7:
            logger.info("the gateway asked for a reconnect (op 7)")
            await end(serial, .reconnect(resume: true, wait: .immediately))
        case 9:
            let resumable = GatewayFields.resumable(data) && session != nil
            logger.info("invalid session (op 9, \(resumable ? "resumable" : "not resumable"))")
            await end(serial, .reconnect(resume: resumable, wait: .invalidSession))
        case 10: await hello(data, serial: serial)
        case 11: heartbeatAcknowledged(serial)
        default: logger.debug("ignored gateway op \(envelope.op)")
        }
    }

    private func dispatch(_ envelope: GatewayEnvelope, data: ArraySlice<UInt8>) {
        guard let sequence = envelope.sequence, let event = envelope.event else {
            environment.warnings.warning("dispatch.\(id)", "ignored a dispatch without a sequence number or event name")
            return
        }
        // A resume replays from the last sequence sent; anything at or below it was delivered.
        if let last = lastSequence, sequence <= last { return }
        lastSequence = sequence
        switch event {
        case "READY":
            let ready: ReadyEvent
            do { ready = try ReadyEvent.decode(data) } catch {
                logger.error("READY is not an object (\(error)); a dropped connection will identify again")
                break
            }
            if let sessionID = ready.sessionID {
                session = Session(id: sessionID, resumeEndpoint: resumeEndpoint(ready.resumeURL))
                markLive()
                report(.ready(sessionID: sessionID))
            } else {
                logger.error("READY has no session_id, which a resume needs; a dropped connection will identify again")
            }
            environment.sink.gatewayReady(shard: id, ready: ready)
        case "RESUMED":
            if let session {
                logger.info("resumed session \(session.id) at sequence \(sequence)")
                markLive()
                report(.ready(sessionID: session.id))
            }
        default: break
        }
        environment.sink.gatewayDispatch(shard: id, event: event, data: data, sequence: sequence)
    }

    /// The handshake completed: the connection is live, and the backoff starts from the bottom
    /// again, however the next connection ends.
    private func markLive() {
        connection?.live = true
        connection?.completed = true
        backoff.reset()
    }

    /// `resume_gateway_url`, if it is one this build can use; otherwise resume on the original URL.
    private func resumeEndpoint(_ url: String?) -> WebSocketEndpoint? {
        guard let url else { return nil }
        do {
            let endpoint = try WebSocketEndpoint.parse(url, compress: configuration.compress)
            try WebSocketClient.checkSupported(endpoint)
            return endpoint
        } catch {
            logger.warning("cannot use resume_gateway_url (\(error)); resuming on the original URL")
            return nil
        }
    }

    // MARK: hello, identify, resume

    private func hello(_ data: ArraySlice<UInt8>, serial: UInt64) async {
        guard var current = connection, current.serial == serial, !current.gotHello else { return }
        let intervalMs: Double
        do { intervalMs = try GatewayFields.heartbeatInterval(data) } catch {
            logger.warning("Hello without a usable heartbeat_interval (\(error)); reconnecting")
            await end(serial, .reconnect(resume: true))
            return
        }
        current.gotHello = true
        connection = current
        startHeartbeats(serial, interval: .nanoseconds(Int64(intervalMs * 1_000_000)))
        if current.resuming, let session, let sequence = lastSequence {
            report(.resuming)
            let payload = GatewayPayload.resume(token: token, sessionID: session.id, sequence: sequence)
            logger.debug("resume: \(GatewayPayload.loggable(payload, token: token))")
            await write(payload, serial)
        } else {
            report(.identifying)
            connection?.tasks.append(Task { await self.identifyWhenAllowed(serial) })
        }
    }

    /// Identifies once the gate allows it; runs beside the read loop so heartbeats go on meanwhile.
    private func identifyWhenAllowed(_ serial: UInt64) async {
        do { try await environment.gate.acquire(shardID: id) } catch { return }
        guard let current = connection, current.serial == serial, current.outcome == nil else { return }
        session = nil
        lastSequence = nil
        let payload = GatewayPayload.identify(
            token: token, intents: intents, shardID: id, shardCount: environment.shardCount,
            largeThreshold: configuration.largeThreshold, presence: configuration.presence)
        logger.debug("identify: \(GatewayPayload.loggable(payload, token: token))")
        await write(payload, serial)
    }

    /// A connection that never says Hello is retried rather than waited on forever.
    private func watchForHello(_ serial: UInt64) {
        let timeout = configuration.helloTimeout
        connection?.tasks.append(Task {
            do { try await self.environment.sleeper.sleep(for: timeout) } catch { return }
            await self.helloDeadline(serial)
        })
    }

    private func helloDeadline(_ serial: UInt64) async {
        guard let current = connection, current.serial == serial, !current.gotHello else { return }
        logger.warning("no Hello within \(SchedulerTime.describe(configuration.helloTimeout)); reconnecting")
        await end(serial, .reconnect(resume: true))
    }

    // MARK: heartbeats

    /// First beat after interval × random[0, 1) so shards do not beat in step, then every interval.
    /// Deadlines are absolute, so the time a write takes does not make the beats drift.
    private func startHeartbeats(_ serial: UInt64, interval: Duration) {
        let sleeper = environment.sleeper
        let step = SchedulerTime.nanoseconds(interval)
        var due = sleeper.nowNs &+ SchedulerTime.nanoseconds(interval * environment.randomUnit())
        connection?.tasks.append(Task {
            do {
                try await sleeper.sleep(untilNs: due)
                while await self.heartbeat(serial, requested: false) {
                    due = due &+ step
                    // After a stall (a suspended process), wait a whole interval for the ACK rather
                    // than beating again at once and calling a healthy connection a zombie.
                    if due <= sleeper.nowNs { due = sleeper.nowNs &+ step }
                    try await sleeper.sleep(untilNs: due)
                }
            } catch {}
        })
    }

    /// Sends a heartbeat; a scheduled beat whose predecessor was never acknowledged means the
    /// connection is a zombie: close it (not with 1000/1001, which would end the session) and resume.
    /// Returns whether the heartbeat loop should go on.
    @discardableResult
    private func heartbeat(_ serial: UInt64, requested: Bool) async -> Bool {
        guard var current = connection, current.serial == serial, current.outcome == nil else { return false }
        if current.awaitingAck && !requested {
            logger.warning("no heartbeat ACK since the last heartbeat: the connection is a zombie; reconnecting to resume")
            await end(serial, .reconnect(resume: true))
            return false
        }
        current.awaitingAck = true
        connection = current
        await write(GatewayPayload.heartbeat(sequence: lastSequence), serial)
        return true
    }

    private func heartbeatAcknowledged(_ serial: UInt64) {
        guard var current = connection, current.serial == serial else { return }
        current.awaitingAck = false
        connection = current
    }

    /// The client's own payloads: never held back by the send budget.
    private func write(_ payload: [UInt8], _ serial: UInt64) async {
        guard let current = connection, current.serial == serial else { return }
        do { try await WebSocketClient.send(payload, on: current.channel) } catch {
            logger.debug("a write failed as the connection closed")
        }
    }
}
