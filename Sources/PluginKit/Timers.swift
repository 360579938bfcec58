/// One-shot and repeating timers on the host's clock. Handlers run on the plugin's executor.
public struct Timers: Sendable {
    let host: PluginHost

    /// Calls `body` once after `delay`.
    @discardableResult
    public func after(_ delay: Duration, _ body: @escaping () -> Void) throws -> Registration {
        try start(delay: delay, interval: 0, body, "timers.after")
    }

    /// Calls `body` every `interval` (first after `initialDelay`, default one interval). A slow
    /// plugin skips ticks rather than receiving a backlog.
    @discardableResult
    public func every(_ interval: Duration, initialDelay: Duration? = nil,
                      _ body: @escaping () -> Void) throws -> Registration {
        let intervalMs = max(1, milliseconds(interval))
        return try start(delay: initialDelay ?? interval, interval: intervalMs, body, "timers.every")
    }

    private func start(delay: Duration, interval: UInt64, _ body: @escaping () -> Void,
                       _ what: String) throws -> Registration {
        let timerStart = try host.table.require(\.timer_start, "timer_start")
        let box = HandlerBox(host: host, handler: body)
        let delayMs = milliseconds(delay)
        return try host.register(box, what) { userData, handle in
            timerStart(host.plugin, delayMs, interval, timerFired, userData, releaseCallbackBox, handle)
        }
    }
}

private func timerFired(_ userData: UnsafeMutableRawPointer?, _ timer: bothost_handle) {
    guard let box = HandlerBox<() -> Void>.from(userData) else { return }
    box.host.enter { box.handler() }
}
