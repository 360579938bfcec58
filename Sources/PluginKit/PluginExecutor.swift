import Foundation

/// The host's per-plugin serial executor, seen from Swift.
///
/// A `Plugin` actor reports this as its `unownedExecutor`, so its jobs — including those of Tasks the
/// plugin spawns — run on the same serial executor as every host callback: one at a time, in order.
/// `enqueue` hands a job to the host with `host->post`; the host runs it on the plugin's executor.
public final class PluginExecutor: SerialExecutor {
    nonisolated(unsafe) let plugin: OpaquePointer  // host-owned handle, valid for the plugin's life
    let table: HostTable

    init(plugin: OpaquePointer, table: HostTable) {
        self.plugin = plugin
        self.table = table
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        // `post` has no user_data_free: the box is released by the trampoline, or here on failure.
        let posted = Unmanaged.passRetained(PostedJob(job: UnownedJob(job), executor: self)).toOpaque()
        let status: StatusCode
        if table.has(\.post), let post = table.api.post {
            status = StatusCode(rawValue: post(plugin, runPostedJob, posted))
        } else {
            status = .unsupported
        }
        guard status != .ok else { return }
        Unmanaged<PostedJob>.fromOpaque(posted).release()
        reportDroppedJob(status)
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

    /// A job the host refused (the plugin is stopping or stopped): the Task it belonged to will never
    /// resume. Say so, in the host's log if it still listens and on stderr in any case.
    private func reportDroppedJob(_ status: StatusCode) {
        let detail = table.lastError()
        // The plugin's own name: once it has stopped, the host drops its log lines, so the stderr
        // copy has to say whose Task it was.
        let name = LibraryState.shared.withLock { $0.pluginType?.manifest.name } ?? "?"
        let text = "PluginKit (plugin \(name)): a Swift task job was dropped because host->post failed with \(status)"
            + (detail.isEmpty ? "" : " (\(detail))")
            + "; a Task outlived the plugin's stop — end Tasks in a cleanup hook (PluginTasks.endWhenStopping)"
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
}
