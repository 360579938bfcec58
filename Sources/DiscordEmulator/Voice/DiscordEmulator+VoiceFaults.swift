/// Voice misbehaving on purpose.
extension DiscordEmulator {
    /// Applies a voice fault to every live voice connection, or only to one guild's. Recorded in
    /// `faults` like gateway and REST faults.
    public func injectVoice(_ fault: VoiceFault, guildID: UInt64? = nil) {
        let affected: Int
        if fault == .reallocateServer {
            affected = hub.state.withLock { state in hub.reallocateVoice(&state, guildID: guildID) }
        } else {
            affected = hub.voice.apply(fault, guildID: guildID)
        }
        env.recorder.record(RecordedFault(
            description: "voice \(fault)" + (guildID.map { " in guild \($0)" } ?? ""), affected: affected, timeMs: env.clock.nowMs()))
    }
}
