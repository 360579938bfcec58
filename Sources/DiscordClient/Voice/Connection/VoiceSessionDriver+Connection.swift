import BotHostCore
import NIOCore
import NIOWebSocket

/// One voice WebSocket connection: Hello, identify or resume, heartbeats with `seq_ack` and zombie
/// detection, the events that keep the SSRC map, and the close codes that decide what comes next.
extension VoiceSessionDriver {
    package func serve(_ socket: WebSocketChannel, credentials: VoiceCredentials, version: UInt64, resuming: Bool) async -> Outcome {
        guard adopt(socket.channel, ifUnchangedSince: version) else {
            await WebSocketClient.close(socket.channel, code: VoiceCloseCode.normal)
            return .controlChanged
        }
        serial += 1
        let current = Connection(serial: serial, channel: socket.channel, credentials: credentials, resuming: resuming)
        connection = current
        watchHandshake(current.serial)
        var closeCode: Int?
        var closeReason = ""
        do {
            try await socket.executeThenClose { inbound, _ in
                reading: for try await frame in inbound {
                    switch frame.opcode {
                    case .text:
                        await handle(Array(buffer: frame.unmaskedData), serial: current.serial)
                    case .binary:
                        await handleBinary(Array(buffer: frame.unmaskedData), serial: current.serial)
                    case .connectionClose:
                        var data = frame.unmaskedData
                        closeCode = data.readInteger(as: UInt16.self).map(Int.init)
                        closeReason = data.readString(length: data.readableBytes) ?? ""
                        // A close the client started needs no answer; the server's own gets its echo.
                        if connection?.outcome == nil, controlVersion == version {
                            await WebSocketClient.close(socket.channel, code: UInt16(clamping: closeCode ?? 1000))
                        }
                        break reading
                    case .ping:
                        WebSocketClient.pong(frame.unmaskedData, on: socket.channel)
                    default:
                        break
                    }
                    if connection?.outcome != nil { break reading }
                }
            }
        } catch {
            if connection?.outcome == nil && controlVersion == version {
                logger.debug("the voice connection failed: \(error)")
            }
        }
        release(socket.channel)
        let ended = connection
        connection = nil
        for task in ended?.tasks ?? [] { task.cancel() }
        // A UDP socket that never became the transport dies with its connection.
        await ended?.pendingSocket?.close()
        if controlVersion != version { return .controlChanged }
        if let decided = ended?.outcome { return decided }
        let what = closeCode.map { "closed with \($0)\(closeReason.isEmpty ? "" : " (\(closeReason))")" } ?? "the connection dropped"
        switch VoiceCloseCode.action(for: closeCode) {
        case .resume: return .retry(resume: true, problem: what)
        case .newSession: return .newSession(problem: what)
        case .awaitNewServer: return .awaitNewServer(problem: closeCode.map { "close \($0): \(VoiceCloseCode.message(for: $0))" } ?? what)
        case .end(let reason): return .end(reason)
        }
    }

    /// Ends the current connection for `outcome`. Resumable outcomes close with a code other than
    /// 1000 so the server keeps the session.
    package func end(_ serial: UInt64, _ outcome: Outcome) async {
        guard var current = connection, current.serial == serial, current.outcome == nil else { return }
        current.outcome = outcome
        connection = current
        let keepsSession: Bool = if case .retry(true, _) = outcome { true } else { false }
        await WebSocketClient.close(current.channel, code: keepsSession ? VoiceCloseCode.reconnecting : VoiceCloseCode.normal)
    }

    /// Whether `serial` is still the connection in use and not being ended.
    package func isCurrent(_ serial: UInt64) -> Bool {
        guard let connection else { return false }
        return connection.serial == serial && connection.outcome == nil
    }

    /// The client's own payloads.
    package func write(_ payload: [UInt8], _ serial: UInt64) async {
        guard let current = connection, current.serial == serial else { return }
        do { try await WebSocketClient.send(payload, on: current.channel) } catch {
            logger.debug("a voice write failed as the connection closed")
        }
    }

    // MARK: messages

    private func handle(_ bytes: [UInt8], serial: UInt64) async {
        guard isCurrent(serial) else { return }
        let envelope: VoiceServerEnvelope
        do { envelope = try VoiceServerEnvelope.scan(bytes) } catch {
            warnings.warning("payload", "ignored a voice message that is not a valid payload (\(error))")
            return
        }
        if let sequence = envelope.sequence { lastSequence = sequence }
        do {
            switch envelope.op {
            case VoiceOpcode.hello: await hello(envelope.data, serial: serial)
            case VoiceOpcode.ready: await ready(envelope.data, serial: serial)
            case VoiceOpcode.sessionDescription: await sessionDescription(envelope.data, serial: serial)
            case VoiceOpcode.resumed: await resumed(serial: serial)
            case VoiceOpcode.heartbeatAck: connection?.unackedHeartbeats = 0
            case VoiceOpcode.speaking:
                let speaking = try VoiceServerMessage.speaking(envelope.data)
                if let user = speaking.userID, user != environment.userID { core.userSpeaks(userID: user, ssrc: speaking.ssrc) }
            case VoiceOpcode.clientsConnect:
                let users = try VoiceServerMessage.clientsConnect(envelope.data)
                core.usersConnected(users)
                core.endToEnd?.usersConnected(users)
            case VoiceOpcode.clientDisconnect:
                let user = try VoiceServerMessage.clientDisconnect(envelope.data)
                core.userDisconnected(user)
                core.endToEnd?.userDisconnected(user)
            case VoiceOpcode.dave:
                await endToEndMessage(op: envelope.op, payload: envelope.data, serial: serial)
            default:
                logger.debug("ignored voice op \(envelope.op)")
            }
        } catch {
            warnings.warning("op.\(envelope.op)", "ignored voice op \(envelope.op) with an unusable payload (\(error))")
        }
    }

    /// Binary frames are DAVE's MLS messages (ops 25–30), `[u16 seq][u8 op][payload]`. Their
    /// sequence numbers share the JSON messages' counter, so they count toward `seq_ack`.
    private func handleBinary(_ bytes: [UInt8], serial: UInt64) async {
        guard isCurrent(serial) else { return }
        guard let header = VoiceServerEnvelope.binaryHeader(bytes) else {
            warnings.warning("binary", "ignored a binary voice message shorter than its header")
            return
        }
        lastSequence = header.sequence
        guard VoiceOpcode.dave.contains(header.op) else {
            warnings.warning("binary.\(header.op)", "ignored binary voice op \(header.op), which is not a DAVE message")
            return
        }
        await endToEndMessage(op: header.op, payload: bytes[VoiceServerEnvelope.binaryHeaderLength...], serial: serial)
    }

    // MARK: hello, identify, resume

    private func hello(_ data: ArraySlice<UInt8>, serial: UInt64) async {
        guard var current = connection, current.serial == serial, !current.gotHello else { return }
        let intervalMs: Double
        do { intervalMs = try VoiceServerMessage.hello(data) } catch {
            logger.warning("voice Hello without a usable heartbeat_interval (\(error)); reconnecting")
            await end(serial, .retry(resume: current.resuming, problem: "Hello without a heartbeat interval"))
            return
        }
        current.gotHello = true
        connection = current
        startHeartbeats(serial, interval: .nanoseconds(Int64(intervalMs * 1_000_000)))
        let credentials = current.credentials
        let guild = environment.guildID
        if current.resuming, transport != nil {
            logger.debug("resuming voice \(credentials) at seq \(lastSequence)")
            await write(VoiceClientPayload.resume(serverID: guild, sessionID: credentials.sessionID, token: credentials.token,
                                                  sequenceAck: lastSequence), serial)
        } else {
            // A new voice session: the server numbers its messages afresh and announces who is
            // in the channel again.
            lastSequence = -1
            core.forgetUsers()
            // ...and the end-to-end group starts over: a fresh key package on every new session,
            // so a rejoin never carries a stale epoch.
            core.endToEnd?.reset(channelID: core.channelID)
            logger.debug("identifying voice \(credentials)")
            await write(VoiceClientPayload.identify(serverID: guild, userID: environment.userID, sessionID: credentials.sessionID,
                                                    token: credentials.token,
                                                    maxDAVEProtocolVersion: core.endToEnd?.maxProtocolVersion ?? 0), serial)
        }
    }

    private func resumed(serial: UInt64) async {
        guard let current = connection, current.serial == serial, current.resuming, let transport else { return }
        connection?.established = true
        logger.info("voice session resumed")
        markConnected(transport)
        await announceSpeaking(serial, ssrc: transport.ssrc)
    }

    /// A connection that does not reach Session Description (or Resumed) in time is retried.
    private func watchHandshake(_ serial: UInt64) {
        let timeout = settings.handshakeTimeout
        let sleeper = environment.sleeper
        connection?.tasks.append(Task {
            do { try await sleeper.sleep(for: timeout) } catch { return }
            await self.handshakeDeadline(serial)
        })
    }

    private func handshakeDeadline(_ serial: UInt64) async {
        guard let current = connection, current.serial == serial, !current.established else { return }
        let problem = "the voice handshake did not complete within \(SchedulerTime.describe(settings.handshakeTimeout))"
        logger.warning("\(problem); reconnecting")
        // A resume that hangs is not tried again: the next attempt identifies.
        await end(serial, .retry(resume: false, problem: problem))
    }

    // MARK: heartbeats

    /// Every interval, on absolute deadlines so that the time a write takes does not make beats drift.
    private func startHeartbeats(_ serial: UInt64, interval: Duration) {
        let sleeper = environment.sleeper
        let step = max(SchedulerTime.nanoseconds(interval), 1_000_000)
        var due = sleeper.nowNs &+ step
        connection?.tasks.append(Task {
            do {
                try await sleeper.sleep(untilNs: due)
                while await self.heartbeat(serial) {
                    due = due &+ step
                    // After a stall, wait a whole interval for the ACK rather than beating at once.
                    if due <= sleeper.nowNs { due = sleeper.nowNs &+ step }
                    try await sleeper.sleep(untilNs: due)
                }
            } catch {}
        })
    }

    /// Sends a heartbeat `{t, seq_ack}`; too many beats without an ACK make the connection a
    /// zombie, which is closed and resumed. Returns whether the heartbeat loop goes on.
    private func heartbeat(_ serial: UInt64) async -> Bool {
        guard var current = connection, current.serial == serial, current.outcome == nil else { return false }
        if current.unackedHeartbeats >= settings.missedHeartbeatAcksBeforeZombie {
            let problem = "no heartbeat ACK for \(current.unackedHeartbeats) heartbeat(s): the connection is a zombie"
            logger.warning("\(problem); reconnecting to resume")
            await end(serial, .retry(resume: true, problem: problem))
            return false
        }
        current.unackedHeartbeats += 1
        connection = current
        await write(VoiceClientPayload.heartbeat(nonce: environment.clock.nowMs(), sequenceAck: lastSequence), serial)
        return true
    }

    // MARK: speaking

    package func setSpeaking(_ flags: VoiceSpeakingFlags) async throws {
        guard !core.current.isDisconnected else { throw VoiceConnectionError.sessionClosed }
        core.speaking = flags
        // Not connected: the flags go out once the session is (see `announceSpeaking`).
        guard let current = connection, current.established, current.outcome == nil, let transport else { return }
        announcedSpeaking = (flags, transport.ssrc)
        try await WebSocketClient.send(VoiceClientPayload.speaking(flags, ssrc: transport.ssrc), on: current.channel)
    }

    /// Once connected (again): tells the server the speaking state the media layer last set, if it
    /// has not heard it for this SSRC (a new session, or a change made while reconnecting).
    package func announceSpeaking(_ serial: UInt64, ssrc: UInt32) async {
        let flags = core.speaking
        if let last = announcedSpeaking, last.ssrc == ssrc {
            guard last.flags != flags else { return }
        } else {
            guard !flags.isEmpty else { return }  // a new SSRC starts out silent
        }
        announcedSpeaking = (flags, ssrc)
        await write(VoiceClientPayload.speaking(flags, ssrc: ssrc), serial)
    }
}
