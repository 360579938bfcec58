import PluginKit
import VoiceSessionsCore

/// A plugins.json edit reaches the running plugin here; nothing restarts, so sessions go on.
extension VoiceSessionsPlugin {
    /// Applies a new config live, or refuses it (throws) leaving the old one in force:
    ///
    /// - `sessionTimeout` applies to running sessions at once (their deadline is their last activity
    ///   plus the timeout in force); `monitorInterval` restarts the monitor's timer;
    /// - `cleanupDelay`, `quota`, `playback` and `allowEcho` apply from their next use;
    /// - `recording` applies to sessions that start from now on (a running recording goes on).
    func configChanged(_ new: PluginConfig) throws -> Bool {
        let next = try new.parse(VoiceSessionsConfig.parse)
        try Self.prepareRecordingDirectory(next)
        let previous = config
        config = next
        book.timing = next.timing
        if next.timing.monitorIntervalMs != previous.timing.monitorIntervalMs {
            do {
                try startMonitor()
            } catch {
                // Timers register while the plugin runs; failing here means it is stopping.
                host.log.warning("could not restart the monitor at the new interval: \(error)")
            }
        }
        logSettings()
        return true
    }
}
