import GameSessionsCore
import PluginKit

/// Live Discord embeds for game lobbies. Each configured source (an OpenRA master server or any
/// JSON feed) is polled through the host's HTTP call; each session gets an embed that is edited
/// only when what a person sees changes, and marked "Session Ended" when the feed — in a poll that
/// succeeded — no longer lists it. README.md documents the config, commands and bus topics.
///
/// Every reading of time is the host clock's and every wait a host timer, so tests drive polls,
/// pacing and backoff by advancing the host's manual clock.
actor GameSessionsPlugin: Plugin {
    static let manifest = PluginManifest(
        name: "gamesessions", version: "1.0.0",
        description: "Live Discord embeds for game lobbies from game-server feeds",
        ownedNames: ["sessions"])  // its /sessions command

    let host: PluginHost
    /// Replaced live by a config edit (`configChanged`).
    var config: GameSessionsConfig
    let store: SessionStore
    var sources: [String: SourceState] = [:]
    var lanes: [UInt64: ChannelLane] = [:]
    /// Calls across all channels (`pacing.totalPerSecond`).
    var totalBudget: PaceBudget
    /// Tasks the plugin started (polls, Discord calls, command answers), ended when it stops.
    let tasks = PluginTasks()
    /// Set by the cleanup hook: no poll or call starts any more.
    var isStopping = false

    init(host: PluginHost) throws {
        self.host = host
        config = try host.config().parse(GameSessionsConfig.parse)
        store = SessionStore(storage: host.storage, log: host.log)
        totalBudget = PaceBudget(config.totalPacing)
    }

    func start() throws {
        // Registered first, so it runs last, after the hook below has answered the waiting polls.
        try tasks.endWhenStopping(host)
        try host.cleanup.register { self.endWork() }
        restore()
        try registerCommands()
        try host.bus.subscribe("gamesessions.poll") { message in self.pollRequested(message) }
        for source in config.sources { try follow(source.id) }
        if !host.discord.isAvailable {
            host.log.warning("this host offers no Discord REST calls: sessions are followed and published on the bus only")
        }
        logSources()
    }

    /// Starts polling a source whose state is in `sources`: now, then every interval.
    func follow(_ id: String) throws {
        guard let interval = sources[id]?.config.intervalMs else { return }
        sources[id]?.timer?.cancel()
        sources[id]?.timer = try host.timers.every(.milliseconds(interval)) { self.poll(id) }
        poll(id)
    }

    func logSources() {
        let names = config.sources.map { "\($0.id) (\($0.format.name), every \($0.intervalMs / 1000) s)" }
        host.log.info("following \(names.joined(separator: ", "))")
    }

    /// The cleanup hook: ends the work in flight while the state is alive. Polls and calls stop
    /// (their Tasks end with the plugin), and `/sessions refresh` calls waiting for a poll are
    /// answered. Nothing needs writing: every session, message and watch list is stored when it
    /// changes, and no session is ended — they are still live, and the next start picks them up.
    func endWork() {
        isStopping = true
        for id in sources.keys { answerWaiters(of: id, "the plugin is stopping") }
    }

    /// Frees the state (the cleanup hook has ended the work on it).
    func stop() {
        sources.removeAll()
        lanes.removeAll()
    }

    /// Answers the `/sessions refresh` calls waiting for a poll of `id` with a failed poll.
    func answerWaiters(of id: String, _ why: String) {
        let waiters = sources[id]?.waiters ?? []
        sources[id]?.waiters.removeAll()
        var report = PollReport(source: id)
        report.failure = .transport(why)
        for waiter in waiters { waiter.resume(returning: report) }
    }

    /// Runs `operation` in a Task that ends when the plugin stops.
    func spawn(_ operation: @escaping @Sendable (isolated GameSessionsPlugin) async -> Void) {
        tasks.spawn(self, operation)
    }
}

/// The library's one exported symbol.
@_cdecl("bothost_plugin_entry")
public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
    PluginExport.entry(GameSessionsPlugin.self, api)
}
