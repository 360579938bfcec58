import Synchronization

/// The Tasks a plugin starts for its own work (a poll, a Discord call, a notice), kept so that none
/// outlives the plugin.
///
///     let tasks = PluginTasks()
///     func start() throws { try tasks.endWhenStopping(host) }
///     func refresh() { tasks.spawn(self) { plugin in await plugin.poll() } }
///
/// `endWhenStopping` registers a cleanup hook that cancels every Task still running and refuses new
/// ones. The hook runs before `stop()`, while the host still runs the plugin's jobs: a cancelled
/// Task's host call is removed at once and its wait ends as `.cancelled`, so the Task finishes on the
/// executor while the plugin stops instead of being cut off after it. Register it first in
/// `start()`: hooks run newest first, so it then runs after the plugin's other hooks, which may still
/// start Tasks that matter (a last report).
///
/// Threading: use it from the plugin actor only (`spawn` takes the actor as its isolation).
public final class PluginTasks: Sendable {
    private struct State {
        var running: [Int: Task<Void, Never>] = [:]
        var nextID = 0
        var closed = false
    }
    private let state = Mutex(State())

    public init() {}

    /// True once the plugin is stopping: `spawn` starts nothing any more.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Tasks started and not yet finished.
    public var count: Int { state.withLock { $0.running.count } }

    /// Starts `operation` isolated to `actor` (the plugin) unless the plugin is stopping.
    public func spawn<A: Actor>(_ actor: isolated A, _ operation: @escaping @Sendable (isolated A) async -> Void) {
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        // Captures the isolated parameter, so the Task runs on the plugin's executor from its start.
        let task = Task {
            await operation(actor)
            self.finished(id)
        }
        // The Task's first job runs after this callback, so it cannot have finished yet.
        state.withLock { $0.running[id] = task }
    }

    /// Cancels every running Task and refuses new ones (what the cleanup hook does).
    public func cancelAll() {
        let running = state.withLock { state -> [Task<Void, Never>] in
            state.closed = true
            defer { state.running.removeAll() }
            return Array(state.running.values)
        }
        for task in running { task.cancel() }
    }

    /// Registers the cleanup hook that calls `cancelAll()` when the plugin stops.
    @discardableResult
    public func endWhenStopping(_ host: PluginHost) throws -> Registration {
        try host.cleanup.register { self.cancelAll() }
    }

    private func finished(_ id: Int) {
        state.withLock { _ = $0.running.removeValue(forKey: id) }
    }
}
