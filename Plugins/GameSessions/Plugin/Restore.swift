import GameSessionsCore
import PluginKit

/// Start: what the plugin stored before it stopped (or was killed) comes back, so that its first
/// poll is diffed against the sessions people see: changed ones are edited, vanished ones ended,
/// and nothing is posted twice.
extension GameSessionsPlugin {
    func restore() {
        var restoredSessions = 0
        for config in self.config.sources {
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
            guard let source = sources[post.source] else {
                // A source no longer in the config: its messages stay as they are, its records too,
                // in case it comes back.
                unknownSources.insert(post.source)
                continue
            }
            lanes[channel, default: ChannelLane(budget: config.pacing)].records[post] = record
            restoredPosts += 1
            if !source.channels.contains(channel) { sources[post.source]?.retired.insert(channel) }
        }
        if restoredSessions > 0 || restoredPosts > 0 {
            host.log.info("restored \(restoredSessions) sessions and \(restoredPosts) messages from storage")
        }
        if !unknownSources.isEmpty {
            host.log.warning("stored messages of sources no longer configured are left as they are: "
                             + unknownSources.sorted().joined(separator: ", "))
        }
    }
}
