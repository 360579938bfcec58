import GameSessionsCore
import PluginKit

/// Start: what the plugin stored before it stopped (or was killed) comes back, so that its first
/// poll is diffed against the sessions people see: changed ones are edited, vanished ones ended,
/// and nothing is posted twice.
extension GameSessionsPlugin {
    func restore() {
        let unknownSources = restore(config.sources)
        if !unknownSources.isEmpty {
            host.log.warning("stored messages of sources no longer configured are left as they are: "
                             + unknownSources.sorted().joined(separator: ", "))
        }
    }

    /// Restores the given sources (at start, or when a config edit adds them) and the posts that
    /// show them; returns the sources of stored posts that are not configured.
    @discardableResult
    func restore(_ configs: [SourceConfig]) -> Set<String> {
        var restoredSessions = 0
        let wanted = Set(configs.map(\.id))
        for config in configs {
            var source = SourceState(config: config, watch: store.loadWatchList(source: config.id),
                                     pages: store.loadPages(source: config.id))
            var live: [TrackedSession] = []
            for record in store.loadSessions(source: config.id) {
                if let endedAtMs = record.endedAtMs {
                    source.ending[record.session.id] = (record.tracked, endedAtMs)
                } else {
                    live.append(record.tracked)
                }
            }
            restoredSessions += live.count + source.ending.count
            source.book = SessionBook(sourceName: config.name, restoring: live)
            sources[config.id] = source
        }
        var restoredPosts = 0
        var unknownSources = Set<String>()
        for (channel, post, record) in store.loadPosts() {
            guard wanted.contains(post.source), let source = sources[post.source] else {
                // A source no longer in the config: its messages stay as they are, its records too,
                // in case it comes back.
                if sources[post.source] == nil { unknownSources.insert(post.source) }
                continue
            }
            lanes[channel, default: ChannelLane(budget: self.config.pacing)].records[post] = record
            restoredPosts += 1
            if !source.channels.contains(channel) { sources[post.source]?.retired.insert(channel) }
        }
        if restoredSessions > 0 || restoredPosts > 0 {
            host.log.info("restored \(restoredSessions) sessions and \(restoredPosts) messages from storage")
        }
        return unknownSources
    }
}
