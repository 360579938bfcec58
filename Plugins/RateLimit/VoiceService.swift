import PluginKit
import StrictJSON

/// `ratelimit.voice.check` and `ratelimit.voice.track`, and the cleanup of idle users.
extension RateLimitPlugin {
    func voiceCheck(_ message: BusMessage) throws -> RawJSON {
        let request = try JSONFields.decode(VoiceCheckRequest.self, from: message.payload, what: "the request")
        let key = try ledger.key(userId: request.userId, guildId: request.guildId)
        return ledger.status(of: key, nowMs: host.nowMilliseconds).reply
    }

    func voiceTrack(_ message: BusMessage) throws -> RawJSON {
        let request = try JSONFields.decode(VoiceTrackRequest.self, from: message.payload, what: "the request")
        let key = try ledger.key(userId: request.userId, guildId: request.guildId)
        let (status, usage) = ledger.track(key, durationMs: request.durationMs, nowMs: host.nowMilliseconds)
        voiceStore.save(key, usage)
        return status.reply
    }

    /// Drops users idle past the threshold, in memory and in storage, and writes again what failed
    /// to be written before.
    func cleanupVoice() {
        let dropped = ledger.cleanup(nowMs: host.nowMilliseconds)
        for key in dropped { voiceStore.delete(key) }
        voiceStore.flush(ledger)
        if !dropped.isEmpty { host.log.debug("dropped \(dropped.count) idle voice users") }
    }
}
