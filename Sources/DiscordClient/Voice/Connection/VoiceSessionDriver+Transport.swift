/// The transport handshake of a new voice session: Ready → UDP socket and IP discovery → Select
/// Protocol with the chosen mode → Session Description with the key.
extension VoiceSessionDriver {
    package func ready(_ data: ArraySlice<UInt8>, serial: UInt64) async {
        guard let current = connection, current.serial == serial, !current.resuming, current.chosenMode == nil else {
            logger.debug("ignored a voice Ready that was not expected")
            return
        }
        let ready: VoiceServerMessage.Ready
        do { ready = try VoiceServerMessage.ready(data) } catch {
            await end(serial, .retry(resume: false, problem: "unusable Ready (\(error))"))
            return
        }
        let mode: VoiceEncryptionMode
        do { mode = try VoiceEncryptionMode.choose(offered: ready.modes, aes256GCMUsable: settings.isAES256GCMUsable()) } catch {
            logger.error("\(error)")
            await end(serial, .end(.failed(error)))
            return
        }
        connection?.chosenMode = mode
        connection?.ssrc = ready.ssrc
        // Discovery runs beside the read loop, so heartbeats and their ACKs go on meanwhile.
        connection?.tasks.append(Task { await self.openTransport(ready, mode: mode, serial: serial) })
    }

    private func openTransport(_ ready: VoiceServerMessage.Ready, mode: VoiceEncryptionMode, serial: UInt64) async {
        let socket: VoiceUDPSocket
        do { socket = try await VoiceUDPSocket.connect(ip: ready.ip, port: ready.port, group: environment.group) } catch {
            await end(serial, .retry(resume: false, problem: "cannot open the UDP socket to \(ready.ip):\(ready.port): \(error)"))
            return
        }
        guard isCurrent(serial) else { return await socket.close() }
        connection?.pendingSocket = socket
        let external: VoiceExternalAddress
        do {
            external = try await socket.discoverExternalAddress(
                ssrc: ready.ssrc, attempts: settings.ipDiscoveryAttempts, retryInterval: settings.ipDiscoveryRetryInterval,
                scheduler: environment.sleeper.scheduler)
        } catch {
            if isCurrent(serial) {
                logger.warning("\(error)")
                await end(serial, .retry(resume: false, problem: "\(error)"))
            }
            return
        }
        guard isCurrent(serial) else { return }
        connection?.externalAddress = external
        logger.debug("IP discovery: the voice server sees us at \(external); selecting \(mode.rawValue)")
        await write(VoiceClientPayload.selectProtocol(address: external, mode: mode), serial)
    }

    package func sessionDescription(_ data: ArraySlice<UInt8>, serial: UInt64) async {
        guard let current = connection, current.serial == serial, !current.established,
              let chosen = current.chosenMode, let ssrc = current.ssrc,
              let socket = current.pendingSocket, let external = current.externalAddress else {
            logger.debug("ignored a Session Description that was not expected")
            return
        }
        let description: VoiceServerMessage.SessionDescription
        do { description = try VoiceServerMessage.sessionDescription(data) } catch {
            await end(serial, .retry(resume: false, problem: "unusable Session Description (\(error))"))
            return
        }
        // The server answers with the mode selected; anything else must at least be one we can run.
        guard let mode = VoiceEncryptionMode(rawValue: description.mode),
              mode == chosen || mode == .aeadXChaCha20Poly1305RTPSize || settings.isAES256GCMUsable() else {
            let error = VoiceConnectionError.invalidServerMessage("Session Description names mode \"\(description.mode)\", but \(chosen.rawValue) was selected")
            logger.error("\(error)")
            await end(serial, .end(.failed(error)))
            return
        }
        let transport = VoiceTransport(mode: mode, secretKey: description.secretKey, ssrc: ssrc, externalAddress: external, socket: socket)
        connection?.pendingSocket = nil
        connection?.established = true
        let replaced = self.transport
        self.transport = transport
        let core = self.core
        socket.inbox.setHandler { [weak transport] datagram in
            if let transport { core.deliver(datagram, from: transport) }
        }
        logger.info("voice connected: \(mode.rawValue), ssrc \(ssrc), UDP \(external) → \(socket.remote)")
        await startEndToEnd(protocolVersion: description.daveProtocolVersion, serial: serial)
        markConnected(transport)
        await replaced?.close()
        await announceSpeaking(serial, ssrc: ssrc)
    }
}
