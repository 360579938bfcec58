import GameSessionsCore
import PluginKit

/// A plugins.json edit reaches the running plugin here. Sources come and go without a restart;
/// what would change messages already posted asks for one instead (nothing is lost by it: the
/// plugin's state is in storage, and a restart picks it up).
extension GameSessionsPlugin {
    /// Applies a new config live, asks for a restart (false), or refuses it (throws) leaving the
    /// old one in force:
    ///
    /// - a new source is restored from storage (if it was followed before) and polled at once;
    /// - a removed source stops being polled; its messages and records stay as they are;
    /// - a source's `url`, `interval`, `timeout`, `filters`, `failureThreshold` and `maxBytes`
    ///   apply from its next poll (a new interval restarts its timer);
    /// - any other change (`name`, `format`, `channel`, `mode`, `generic`, `pacing`) restarts.
    func configChanged(_ new: PluginConfig) throws -> Bool {
        let next = try new.parse(GameSessionsConfig.parse)
        guard next.pacing == config.pacing, next.totalPacing == config.totalPacing else { return false }
        let before = Dictionary(config.sources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(next.sources.map(\.id))
        for source in next.sources {
            if let old = before[source.id], !Self.differsOnlyLive(old, source) { return false }
        }

        config = next
        for id in before.keys.sorted() where !after.contains(id) { stopFollowing(id) }
        for source in next.sources {
            guard let old = before[source.id], old != source else { continue }
            sources[source.id]?.config = source
            if old.intervalMs != source.intervalMs { followAfterEdit(source.id) }
        }
        let added = next.sources.filter { before[$0.id] == nil }
        restore(added)
        for source in added { followAfterEdit(source.id) }
        logSources()
        return true
    }

    /// Whether `new` changes only what applies from the next poll.
    static func differsOnlyLive(_ old: SourceConfig, _ new: SourceConfig) -> Bool {
        var probe = new
        probe.url = old.url
        probe.intervalMs = old.intervalMs
        probe.timeoutMs = old.timeoutMs
        probe.filter = old.filter
        probe.failureThreshold = old.failureThreshold
        probe.maxBytes = old.maxBytes
        return probe == old
    }

    /// Stops polling a source removed from the config. Its messages stay as they are and its
    /// records stay in storage, in case it comes back; a call already on its way is stored too.
    func stopFollowing(_ id: String) {
        sources[id]?.timer?.cancel()
        answerWaiters(of: id, "the source was removed from the config")
        for channel in lanes.keys {
            lanes[channel]?.records = lanes[channel]?.records.filter { $0.key.source != id } ?? [:]
        }
        sources[id] = nil
        host.log.info("\(id): removed from the config; no longer polled, its messages stay as they are")
    }

    private func followAfterEdit(_ id: String) {
        do {
            try follow(id)
        } catch {
            // Timers register while the plugin runs; failing here means it is stopping.
            host.log.warning("\(id): could not start polling: \(error)")
        }
    }
}
