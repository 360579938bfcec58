import Foundation
import Synchronization

/// The host's per-plugin serial executor, seen from Swift.
///
/// A `Plugin` actor reports this as its `unownedExecutor`, so its jobs — including those of Tasks the
/// plugin spawns — run on the same serial executor as every host callback: one at a time, in order.
/// `enqueue` hands a job to the host with `host->post`; the host runs it on the plugin's executor.
public final class PluginExecutor: SerialExecutor {
    nonisolated(unsafe) let plugin: OpaquePointer  // host-owned handle, valid for the plugin's life
    let table: HostTable
    /// Jobs the host refused once the plugin had stopped, and what still runs on the host's side.
    private let afterStop = Mutex(AfterStop())
    /// Where refused jobs run, one at a time (see `enqueue`).
    private let afterStopQueue = DispatchQueue(label: "pluginkit.after-stop")

    /// A Swift Task resumes through the global pool before it posts its next job to the plugin's
    /// executor; one its plugin cancelled while stopping can make that last hop after the host has
    /// marked the plugin stopped, when `post` is refused. Its remaining jobs then run here, serially,
    /// and only once the host runs nothing of the plugin's any more (no posted job queued or
    /// running): the Task finishes (its host calls fail with `.stopped`) instead of being dropped
    /// half-way. A Task that keeps working after the stop is cut off at `limit` jobs.
    private struct AfterStop {
        static let limit = 1000
        /// Jobs the host accepted and has not finished running.
        var posted = 0
        var refused: [UnownedJob] = []
        var draining = false
        var ran = 0
    }

    init(plugin: OpaquePointer, table: HostTable) {
        self.plugin = plugin
        self.table = table
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        // `post` has no user_data_free: the box is released by the trampoline, or here on failure.
        let posted = Unmanaged.passRetained(PostedJob(job: unowned, executor: self)).toOpaque()
        afterStop.withLock { $0.posted += 1 }  // before the post: the job may run before it returns
        let status: StatusCode
        if table.has(\.post), let post = table.api.post {
            status = StatusCode(rawValue: post(plugin, runPostedJob, posted))
        } else {
            status = .unsupported
        }
        guard status != .ok else { return }
        Unmanaged<PostedJob>.fromOpaque(posted).release()
        let kept = afterStop.withLock { state -> (kept: Bool, drain: Bool) in
            state.posted -= 1
            guard status == .stopped, state.ran + state.refused.count < AfterStop.limit else { return (false, false) }
            state.refused.append(unowned)
            return (true, startDrain(&state))
        }
        if kept.drain { afterStopQueue.async { self.drainAfterStop() } }
        if !kept.kept { reportDroppedJob(status) }
    }

    /// A posted job has run: the host may now run nothing more of the plugin's.
    fileprivate func postedJobFinished() {
        if afterStop.withLock({ state in state.posted -= 1; return startDrain(&state) }) {
            afterStopQueue.async { self.drainAfterStop() }
        }
    }

    /// Whether a drain of refused jobs should start now (and marks it started).
    private func startDrain(_ state: inout AfterStop) -> Bool {
        guard state.posted == 0, !state.draining, !state.refused.isEmpty else { return false }
        state.draining = true
        return true
    }

    private func drainAfterStop() {
        while true {
            let next = afterStop.withLock { state -> UnownedJob? in
                guard state.posted == 0, !state.refused.isEmpty else {
                    state.draining = false
                    return nil
                }
                state.ran += 1
                return state.refused.removeFirst()
            }
            guard let next else { return }
            CallbackMarker.with(self) { next.runSynchronously(on: asUnownedSerialExecutor()) }
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True inside a host callback for this plugin (including jobs PluginKit runs).
    public func isIsolatingCurrentContext() -> Bool? {
        CallbackMarker.isInside(self)
    }

    /// For runtimes that ask `checkIsolated` instead; must crash when not isolated (Swift's contract).
    public func checkIsolated() {
        precondition(CallbackMarker.isInside(self), "not on this BotHost plugin's executor")
    }

    /// A job refused and not run after the stop (the host refused it while the plugin was still
    /// running, or a Task kept working after the stop): the Task it belonged to will never resume.
    /// Say so, in the host's log if it still listens and on stderr in any case.
    private func reportDroppedJob(_ status: StatusCode) {
        let detail = table.lastError()
        // The plugin's own name: once it has stopped, the host drops its log lines, so the stderr
        // copy has to say whose Task it was.
        let name = LibraryState.shared.withLock { $0.pluginType?.manifest.name } ?? "?"
        let text = "PluginKit (plugin \(name)): a Swift task job was dropped because host->post failed with \(status)"
            + (detail.isEmpty ? "" : " (\(detail))")
            + "; a Task kept working past the plugin's stop — end Tasks in a cleanup hook (PluginTasks.endWhenStopping)"
        table.log(plugin, .warning, text)
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A job on its way through `host->post`.
private final class PostedJob {
    let job: UnownedJob
    let executor: PluginExecutor
    init(job: UnownedJob, executor: PluginExecutor) {
        self.job = job
        self.executor = executor
    }
}

/// The `bothost_task_fn` that runs a posted job on the plugin's executor.
private func runPostedJob(_ userData: UnsafeMutableRawPointer?) {
    guard let userData else { return }
    let posted = Unmanaged<PostedJob>.fromOpaque(userData).takeRetainedValue()
    let executor = posted.executor
    CallbackMarker.with(executor) {
        posted.job.runSynchronously(on: executor.asUnownedSerialExecutor())
    }
    executor.postedJobFinished()
}
