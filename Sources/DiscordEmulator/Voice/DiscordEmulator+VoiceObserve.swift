import NIOCore

/// Reading what happened on the voice side.
extension DiscordEmulator {
    /// What VOICE_SERVER_UPDATE hands out as `endpoint`: `127.0.0.1:PORT`, no scheme. Clients
    /// connect to `ws://{voiceEndpoint}?v=8`.
    public var voiceEndpoint: String { hub.voice.endpoint }

    /// The voice UDP port Ready names (IP discovery and media).
    public var voiceUDPPort: Int { hub.voice.listeners.withLock { $0.udpPort } }

    /// Whether Ready offers `aead_aes256_gcm_rtpsize` (configured, and libsodium can do AES-GCM here).
    public var voiceOffersAES256GCM: Bool { hub.voice.offeredModes.contains(.aes256GCM) }

    /// Every voice session (one per token granted), oldest first.
    public var voiceSessions: [EmulatedVoiceSession] {
        hub.voice.state.withLock { state in state.sessions.values.sorted { $0.id < $1.id }.map(Self.snapshot) }
    }

    /// The bot's current voice session in a guild, if it is in voice there.
    public func currentVoiceSession(guildID: UInt64 = 2000) -> EmulatedVoiceSession? {
        hub.voice.state.withLock { state in state.currentSession(guildID: guildID).map(Self.snapshot) }
    }

    /// RTP packets received for a voice session, in arrival order.
    public func voicePackets(voiceSessionID: Int) -> [RecordedVoicePacket] {
        hub.voice.state.withLock { $0.sessions[voiceSessionID]?.media.packets ?? [] }
    }

    /// The audio decoded from a voice session's packets: 48 kHz interleaved stereo, in arrival
    /// order (capped at `EmulatorVoiceConfiguration.maxRecordedAudioSeconds`).
    public func voiceAudio(voiceSessionID: Int) -> [Int16] {
        hub.voice.state.withLock { $0.sessions[voiceSessionID]?.media.audio ?? [] }
    }

    /// Every voice gateway message and close frame, in and out, oldest first.
    public var voiceGatewayEvents: [RecordedVoiceFrame] { hub.voice.state.withLock { $0.frames } }

    /// Every op 4 Voice State Update the main gateway received, oldest first.
    public var voiceStateRequests: [RecordedVoiceStateRequest] { hub.voice.state.withLock { $0.stateRequests } }

    /// Datagrams on the voice UDP port that matched no voice session.
    public var unmatchedVoiceDatagrams: Int { hub.voice.state.withLock { $0.unmatchedDatagrams } }

    /// Datagrams lost to a `dropUDP` fault, in either direction.
    public var droppedVoiceDatagrams: Int { hub.voice.state.withLock { $0.droppedDatagrams } }

    private static func snapshot(_ session: VoiceSession) -> EmulatedVoiceSession {
        func pair(_ address: SocketAddress?) -> (ip: String, port: Int)? {
            guard let address, let ip = address.ipAddress, let port = address.port else { return nil }
            return (ip, port)
        }
        return EmulatedVoiceSession(
            id: session.id, guildID: session.guildID, channelID: session.channelID, userID: session.userID,
            sessionID: session.stateSessionID, token: session.token, endpoint: session.endpoint, isCurrent: session.current,
            isConnected: session.connectionID != nil, isResumable: session.resumable, ssrc: session.ssrc, mode: session.mode,
            secretKey: session.secretKey, identifyCount: session.identifyCount, resumeCount: session.resumeCount,
            maxDAVEProtocolVersion: session.maxDAVEProtocolVersion, speakingFlags: session.speakingFlags, lastSeqAck: session.seqAck,
            lastServerSeq: session.seq, clientAddress: pair(session.clientAddress), discoveredAddress: pair(session.discoveredAddress),
            closeCodes: session.closeCodes, receivedPacketCount: session.media.receivedCount,
            decryptFailures: session.media.decryptFailures, malformedPackets: session.media.malformedPackets,
            opusDecodeFailures: session.media.opusDecodeFailures, userSSRCs: session.userStreams.mapValues(\.ssrc),
            dave: session.dave.map { daveSnapshot($0, session) })
    }

    private static func daveSnapshot(_ call: DAVEGatewayCall, _ session: VoiceSession) -> EmulatedDAVECall {
        EmulatedDAVECall(
            protocolVersion: Int(call.protocolVersion), epoch: call.epoch, members: call.members,
            pendingUsers: call.keyPackages.keys.sorted(), acceptedCommits: call.acceptedCommits,
            executedTransitions: call.executedTransitions, refusals: call.refusals.map { "\($0.userID): \($0.reason)" },
            invalidReports: call.invalidReports,
            simulatedMembers: session.daveMembers.mapValues { member in
                EmulatedDAVEMember(sendingEpoch: member.sendingEpoch, groupEpoch: member.group?.epoch,
                                   epochAuthenticator: member.group?.epochAuthenticator, failures: member.failures,
                                   privacyCode: member.privacyCode, framesOpenedFromBot: member.framesOpenedFromBot,
                                   framesRefusedFromBot: member.framesRefusedFromBot)
            },
            unprotectedFramesFromBot: session.daveMedia.unprotectedFrames, unopenableFramesFromBot: session.daveMedia.unopenableFrames,
            unheardFramesFromBot: session.daveMedia.unheardFrames)
    }
}
