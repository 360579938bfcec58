/// Injected voice faults, applied to the live voice connections (optionally of one guild).
extension VoiceHub {
    /// Returns how many connections the fault touched (1 for the global switches).
    /// `.reallocateServer` needs the main gateway and is handled by the gateway hub.
    func apply(_ fault: VoiceFault, guildID: UInt64?) -> Int {
        state.withLock { state in
            let targets = state.connections.openIDs { connection in
                guard let guildID else { return true }
                return connection.sessionKey.flatMap { state.sessions[$0]?.guildID } == guildID
            }
            switch fault {
            case .close(let code):
                for id in targets { close(&state, id, code: code) }
                return targets.count
            case .dropConnections:
                for id in targets { drop(&state, id) }
                return targets.count
            case .stopHeartbeatACKs:
                state.heartbeatACKsStopped = true
            case .resumeHeartbeatACKs:
                state.heartbeatACKsStopped = false
            case .dropUDP:
                state.udpDropped = true
            case .resumeUDP:
                state.udpDropped = false
            case .reallocateServer:
                return 0
            }
            return 1
        }
    }

    /// Whether an outgoing datagram is lost to a `dropUDP` fault (and counts it if so).
    func dropsOutgoingDatagram() -> Bool {
        state.withLock { state in
            if state.udpDropped { state.droppedDatagrams += 1 }
            return state.udpDropped
        }
    }
}
