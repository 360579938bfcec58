import PluginKit

/// A plugins.json edit reaches the running plugin here; nothing restarts, no usage is lost.
extension RateLimitPlugin {
    /// Applies a new config live, or refuses it (throws) leaving the old one in force:
    ///
    /// - `voice` numbers apply to the next check or track, with the usage counted so far (a lower
    ///   `maxDuration` can refuse a user at once; `perGuild` changes how usage is counted from now on);
    /// - a limiter whose numbers change (or a new one) starts with every key at its full burst; an
    ///   unchanged one keeps its keys; a removed one goes;
    /// - a changed `cleanupInterval` or `sweepInterval` restarts its timer.
    func configChanged(_ new: PluginConfig) throws -> Bool {
        let next = try new.parse(RateLimitConfig.parse)
        let previous = config
        config = next
        ledger.policy = next.voice
        let changed = limiters.reconfigure(next.limiters)
        do {
            if next.voice.cleanupIntervalMs != previous.voice.cleanupIntervalMs { try startCleanupTimer() }
            if next.sweepIntervalMs != previous.sweepIntervalMs { try startSweepTimer() }
        } catch {
            // Timers register while the plugin runs; failing here means it is stopping.
            host.log.warning("could not restart a timer at its new interval: \(error)")
        }
        if !changed.isEmpty { host.log.info("limiters changed by the new config: \(changed.joined(separator: ", "))") }
        logSettings()
        return true
    }
}
