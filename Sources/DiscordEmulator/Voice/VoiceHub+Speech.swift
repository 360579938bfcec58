import DAVE
import NIOCore

/// The voice server's half of a simulated user speaking: who may speak, which SSRC, the op 5
/// that maps it to the user, and the sequence numbers, timestamps and nonces the packets take.
extension VoiceHub {
    struct SpeechPlan {
        var sessionKey: Int
        var ssrc: UInt32
        var mode: VoiceEncryptionMode
        var secretKey: [UInt8]
        var destination: SocketAddress
        var channel: any Channel
        var firstSequence: UInt16
        var firstTimestamp: UInt32
        var firstNonce: UInt32
        /// The user's DAVE encryptor when the call is end-to-end encrypted.
        var endToEnd: DAVEFrameEncryptor?
    }

    /// Checks the user can be heard by the bot, sends op 5 Speaking for the user's SSRC, and
    /// reserves `packetCount` consecutive sequence numbers, timestamps and nonces.
    func planSpeech(guildID: UInt64, userID: UInt64, packetCount: Int, speakingFlags: Int) throws(VoiceSpeechError) -> SpeechPlan {
        let udpChannel = listeners.withLock { $0.udpChannel }
        return try state.withLock { state throws(VoiceSpeechError) -> SpeechPlan in
            guard let session = state.currentSession(guildID: guildID) else { throw .botNotInVoice(guildID: guildID) }
            let inChannel = world.withLock { $0.members.voiceStates(in: guildID) }
                .contains { $0.userID == userID && $0.channelID == session.channelID }
            guard inChannel else { throw .userNotInBotChannel(userID: userID, channelID: session.channelID) }
            guard session.resumable, let mode = session.mode, let secretKey = session.secretKey else {
                throw .sessionNotReady("the bot's voice connection has not identified and selected a protocol")
            }
            guard let destination = session.clientAddress, let udpChannel else {
                throw .sessionNotReady("no UDP address for the bot")
            }
            // A DAVE member sends nothing before its first key (no unencrypted media in an E2EE call).
            var endToEnd: DAVEFrameEncryptor?
            if session.dave != nil {
                guard let member = session.daveMembers[userID], member.sendingEpoch != nil else { throw .endToEndNotReady(userID: userID) }
                endToEnd = member.encryptor
            }
            var stream = session.userStreams[userID] ?? OutboundVoiceStream(
                ssrc: state.allocateSSRC(), sequence: UInt16.random(in: 0...UInt16.max), timestamp: UInt32.random(in: 0...UInt32.max))
            let plan = SpeechPlan(
                sessionKey: session.id, ssrc: stream.ssrc, mode: mode, secretKey: secretKey, destination: destination,
                channel: udpChannel, firstSequence: stream.sequence, firstTimestamp: stream.timestamp, firstNonce: session.outboundNonce,
                endToEnd: endToEnd)
            stream.sequence &+= UInt16(truncatingIfNeeded: packetCount)
            stream.timestamp &+= UInt32(truncatingIfNeeded: packetCount * VoiceLimits.samplesPerFrame)
            state.sessions[session.id]?.userStreams[userID] = stream
            state.sessions[session.id]?.outboundNonce = session.outboundNonce &+ UInt32(truncatingIfNeeded: packetCount)
            sendSessionMessage(
                &state, sessionKey: session.id, op: VoiceOp.speaking,
                d: VoiceGatewayPayloads.speaking(userID: userID, ssrc: stream.ssrc, speaking: speakingFlags))
            return plan
        }
    }
}
