import GameSessionsCore
import PluginKit
import StrictJSON

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
    let config: GameSessionsConfig
    let store: SessionStore
    var sources: [String: SourceState] = [:]
    var lanes: [UInt64: ChannelLane] = [:]
    /// Calls across all channels (`pacing.totalPerSecond`).
    var totalBudget: PaceBudget
    /// Tasks the plugin started (polls, Discord calls, command answers), cancelled when it stops.
    var tasks: [Int: Task<Void, Never>] = [:]
    private var nextTaskID = 0
    var isStopping = false

    init(host: PluginHost) throws {
        self.host = host
        do {
            config = try GameSessionsConfig.parse(Array(try host.configJSON.utf8))
        } catch let error as FieldError {
            throw PluginError(.invalidArgument, "config: \(error)")
        }
        store = SessionStore(storage: host.storage, log: host.log)
        totalBudget = PaceBudget(config.totalPacing)
    }

    func start() throws {
        restore()
        try registerCommands()
        try host.bus.subscribe("gamesessions.poll") { message in self.pollRequested(message) }
        for source in config.sources {
            let id = source.id
            sources[id]?.timer = try host.timers.every(.milliseconds(source.intervalMs)) { self.poll(id) }
            poll(id)
        }
        if !host.discord.isAvailable {
            host.log.warning("this host offers no Discord REST calls: sessions are followed and published on the bus only")
        }
        let names = config.sources.map { "\($0.id) (\($0.format.name), every \($0.intervalMs / 1000) s)" }
        host.log.info("following \(names.joined(separator: ", "))")
    }

    /// Stopping cancels polls and calls in flight and ends no session: they are still live, and
    /// the next start picks them up from storage.
    func stop() {
        isStopping = true
        for task in tasks.values { task.cancel() }
        tasks.removeAll()
        for id in sources.keys {
            let waiters = sources[id]?.waiters ?? []
            sources[id]?.waiters.removeAll()
            var report = PollReport(source: id)
            report.failure = .transport("the plugin is stopping")
            for waiter in waiters { waiter.resume(returning: report) }
        }
    }

    /// Runs `operation` in a Task the plugin cancels when it stops.
    func spawn(_ operation: @escaping @Sendable (isolated GameSessionsPlugin) async -> Void) {
        guard !isStopping else { return }
        nextTaskID += 1
        let id = nextTaskID
        tasks[id] = Task {
            await operation(self)
            self.tasks[id] = nil
        }
    }
}

/// The library's one exported symbol.
@_cdecl("bothost_plugin_entry")
public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
    PluginExport.entry(GameSessionsPlugin.self, api)
}
