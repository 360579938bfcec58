import Dispatch
import NIOCore

/// Datagrams arriving at the voice UDP port: IP discovery, and RTP media that is decrypted,
/// parsed, Opus-decoded and recorded against its voice session.
extension VoiceHub {
    /// Handles one datagram; returns the reply to send back to `sender`, if any.
    func receiveDatagram(_ datagram: [UInt8], from sender: SocketAddress) -> [UInt8]? {
        let arrivalNanos = DispatchTime.now().uptimeNanoseconds
        let arrivalMs = env.clock.nowMs()
        let maxAudioSamples = max(0, configuration.maxRecordedAudioSeconds) * VoiceLimits.sampleRate * VoiceLimits.channels
        return state.withLock { state -> [UInt8]? in
            guard !state.udpDropped else {
                state.droppedDatagrams += 1
                return nil
            }
            if let ssrc = IPDiscoveryPacket.requestSSRC(datagram) {
                if let key = state.sessions.values.first(where: { $0.resumable && $0.ssrc == ssrc })?.id {
                    state.sessions[key]?.discoveredAddress = sender
                }
                return IPDiscoveryPacket.response(ssrc: ssrc, address: sender.ipAddress ?? "", port: sender.port ?? 0)
            }
            // RTCP reports and keep-alives share the port; they carry no media.
            guard !RTPHeader.isRTCP(datagram), let header = RTPHeader(parsing: datagram) else { return nil }
            guard let key = sessionKey(&state, ssrc: header.ssrc, sender: sender) else {
                state.unmatchedDatagrams += 1
                return nil
            }
            guard var session = state.sessions[key] else { return nil }
            defer { state.sessions[key] = session }
            guard header.payloadType == RTPHeader.opusPayloadType else {
                session.media.malformedPackets += 1
                return nil
            }
            guard let mode = session.mode, let secretKey = session.secretKey,
                  let (plaintext, counter) = VoiceTransportCipher.open(
                    packet: datagram, associatedDataLength: header.associatedDataLength, mode: mode, key: secretKey) else {
                session.media.decryptFailures += 1
                return nil
            }
            // The extension body was encrypted with the payload; RTP padding, if flagged, ends it.
            var payload = Array(plaintext.dropFirst(header.extensionBodyLength))
            if header.padding, let count = payload.last.map(Int.init), count > 0, count <= payload.count {
                payload.removeLast(count)
            }
            guard plaintext.count >= header.extensionBodyLength, !payload.isEmpty else {
                session.media.malformedPackets += 1
                return nil
            }
            // In a DAVE call the Opus frame is end-to-end encrypted: the simulated users open it.
            var opus: [UInt8]? = payload
            if session.dave != nil, payload != OpusFrames.silence { opus = openBotFrame(&session, payload) }
            let samples = opus.map { session.media.decode($0, ssrc: header.ssrc, maxAudioSamples: maxAudioSamples) } ?? 0
            session.media.record(RecordedVoicePacket(
                sequence: header.sequence, timestamp: header.timestamp, ssrc: header.ssrc, nonce: counter, marker: header.marker,
                csrcCount: header.csrcs.count, hadHeaderExtension: header.extensionPreamble != nil, payloadSize: (opus ?? payload).count,
                isSilenceFrame: payload == OpusFrames.silence, decodedSamplesPerChannel: samples, arrivalMs: arrivalMs,
                arrivalUptimeNanoseconds: arrivalNanos))
            return nil
        }
    }

    /// The session a packet belongs to: by the SSRC Ready assigned, else by the address the
    /// client's UDP socket was seen at (a client sending with the wrong SSRC still gets recorded).
    private func sessionKey(_ state: inout VoiceHubState, ssrc: UInt32, sender: SocketAddress) -> Int? {
        let live = state.sessions.values.filter(\.resumable).sorted { $0.id > $1.id }
        if let session = live.first(where: { $0.ssrc == ssrc }) { return session.id }
        return live.first { $0.discoveredAddress == sender || $0.clientAddress == sender }?.id
    }
}
