import GameSessionsCore
import PluginKit

/// One feed as the plugin follows it: its sessions, the channels that show them, and its polls.
struct SourceState {
    /// Replaced by a config edit that changes what can change live (see `LiveConfig`).
    var config: SourceConfig
    var book: SessionBook
    /// Sessions that left the feed whose end is not yet shown in every channel (kept in storage
    /// until it is, so a restart still shows it).
    var ending: [String: (tracked: TrackedSession, endedAtMs: Int64)] = [:]
    var watch: WatchList
    /// Channels that stopped following the source and still show some of its posts; those get a
    /// last "no longer tracked here" edit.
    var retired: Set<UInt64> = []
    var pages: SummaryPages

    var polling = false
    /// The first poll after start has finished (posts restored from storage wait for it, so a
    /// session that changed while the plugin was down is edited once, not twice).
    var settled = false
    var consecutiveFailures = 0
    var lastReport: PollReport?
    var lastPollMs: Int64?
    /// /sessions refresh calls waiting for the poll in progress.
    var waiters: [CheckedContinuation<PollReport, Never>] = []
    var timer: Registration?

    init(config: SourceConfig, watch: WatchList, pages: SummaryPages) {
        self.config = config
        book = SessionBook(sourceName: config.name)
        self.watch = watch
        self.pages = pages
    }

    var id: String { config.id }

    /// The channels that currently show the source's sessions.
    var channels: [UInt64] { watch.channels(configured: config.channel) }

    var isFailing: Bool { consecutiveFailures >= config.failureThreshold }
}
