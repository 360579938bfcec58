/// The voice connection's part in end-to-end encryption (DAVE): it starts the session's DAVE
/// layer with the protocol version op 4 chose, routes the DAVE ops (21–31) to it, and writes what
/// it answers — JSON as text frames, MLS messages as binary frames.
extension VoiceSessionDriver {
    package func startEndToEnd(protocolVersion: Int, serial: UInt64) async {
        guard let endToEnd = core.endToEnd else {
            if protocolVersion > 0 {
                logger.warning("the voice server chose DAVE protocol version \(protocolVersion), which this host did not offer")
            }
            return
        }
        logger.info(protocolVersion > 0 ? "voice end-to-end encryption: DAVE protocol version \(protocolVersion)"
                                        : "voice end-to-end encryption: off (the voice server chose transport encryption only)")
        do { await send(try endToEnd.start(protocolVersion: protocolVersion), serial) } catch {
            logger.warning("could not start end-to-end encryption (DAVE protocol version \(protocolVersion)): \(error)")
        }
    }

    package func endToEndMessage(op: Int, payload: ArraySlice<UInt8>, serial: UInt64) async {
        guard let endToEnd = core.endToEnd else {
            warnings.warning("dave.\(op)", "ignored DAVE op \(op): this host offered no end-to-end encryption")
            return
        }
        let before = endToEnd.status
        do { await send(try endToEnd.receive(op: op, payload: payload), serial) } catch {
            warnings.warning("dave.\(op)", "ignored DAVE op \(op): \(error)")
        }
        let after = endToEnd.status
        if after != before, after.isEndToEndEncrypted != before.isEndToEndEncrypted || after.epoch != before.epoch {
            // What the sandbox's terminal shows, and what an operator compares with a Discord client.
            logger.info("voice in guild \(environment.guildID) is \(after)")
            core.endToEndChanged()
        }
    }

    private func send(_ messages: [VoiceEndToEndMessage], _ serial: UInt64) async {
        for message in messages {
            guard let current = connection, current.serial == serial else { return }
            do {
                try await WebSocketClient.send(message.frameBytes, on: current.channel, binary: message.encoding == .binary)
            } catch {
                logger.debug("a DAVE message (op \(message.op)) was not sent as the connection closed")
                return
            }
        }
    }
}
