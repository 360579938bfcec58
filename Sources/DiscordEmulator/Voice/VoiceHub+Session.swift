import NIOCore

/// Select Protocol (op 1 → op 4 Session Description) and the client's Speaking (op 5).
extension VoiceHub {
    func selectProtocol(_ state: inout VoiceHubState, _ connectionID: Int, sessionKey: Int, _ d: WireJSON) {
        guard d.objectMembers != nil, let proto = d["protocol"]?.stringValue, let data = d["data"], data.objectMembers != nil else {
            return close(&state, connectionID, code: VoiceClose.decodeError)
        }
        guard proto == "udp" else { return close(&state, connectionID, code: VoiceClose.unknownProtocol) }
        guard let modeName = data["mode"]?.stringValue, let address = data["address"]?.stringValue,
              let port = data["port"]?.int64Value else {
            return close(&state, connectionID, code: VoiceClose.decodeError)
        }
        guard let mode = VoiceEncryptionMode(rawValue: modeName), offeredModes.contains(mode) else {
            return close(&state, connectionID, code: VoiceClose.unknownEncryptionMode)
        }
        guard (1...65_535).contains(port), let destination = try? SocketAddress(ipAddress: address, port: Int(port)) else {
            return close(&state, connectionID, code: VoiceClose.badRequest)
        }
        let key = VoiceTransportCipher.randomKey()
        state.sessions[sessionKey]?.mode = mode
        state.sessions[sessionKey]?.secretKey = key
        state.sessions[sessionKey]?.clientAddress = destination
        // A new key restarts the nonces the server uses towards this client.
        state.sessions[sessionKey]?.outboundNonce = 0
        sendSessionMessage(
            &state, sessionKey: sessionKey, op: VoiceOp.sessionDescription,
            d: VoiceGatewayPayloads.sessionDescription(mode: mode, secretKey: key, mediaSessionID: RandomTokens.sessionID(),
                                                       daveProtocolVersion: state.sessions[sessionKey]?.daveProtocolVersion ?? 0))
        startDAVE(&state, sessionKey: sessionKey)
    }

    func speaking(_ state: inout VoiceHubState, _ connectionID: Int, sessionKey: Int, _ d: WireJSON) {
        // `speaking` is a bitmask since v4; a boolean counts as the microphone flag.
        let flags: Int64? = d["speaking"]?.int64Value ?? d["speaking"]?.boolValue.map { $0 ? 1 : 0 }
        guard d.objectMembers != nil, let flags else { return close(&state, connectionID, code: VoiceClose.decodeError) }
        state.sessions[sessionKey]?.speakingFlags.append(Int(clamping: flags))
    }
}
