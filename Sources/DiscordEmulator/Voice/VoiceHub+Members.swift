/// Simulated users entering and leaving the bot's voice channel, as the voice server reports
/// them: op 11 Clients Connect and op 13 Client Disconnect.
extension VoiceHub {
    /// A user moved from `from` to `to` (nil: not in voice) within a guild. Sessions that have
    /// identified hear about it; a disconnected but resumable one gets it on resume.
    func userMoved(guildID: UInt64, userID: UInt64, from: UInt64?, to: UInt64?) {
        guard from != to, userID != env.configuration.botUserID else { return }
        state.withLock { state in
            guard let session = state.currentSession(guildID: guildID), session.resumable else { return }
            // Clients hear who connected before any DAVE proposal about them.
            if session.channelID == from {
                sendSessionMessage(&state, sessionKey: session.id, op: VoiceOp.clientDisconnect, d: VoiceGatewayPayloads.clientDisconnect(userID))
                daveUserMoved(&state, sessionKey: session.id, userID: userID, joined: false)
            }
            if session.channelID == to {
                sendSessionMessage(&state, sessionKey: session.id, op: VoiceOp.clientsConnect, d: VoiceGatewayPayloads.clientsConnect([userID]))
                daveUserMoved(&state, sessionKey: session.id, userID: userID, joined: true)
            }
        }
    }
}
