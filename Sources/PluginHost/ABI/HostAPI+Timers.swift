import PluginAPI

extension HostAPI {
    package static func installTimers(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.timer_start = apiTimerStart
        table.pointee.now_ms = { plugin in
            (PluginRef.instance(plugin)?.runtime.clock.nowMs()) ?? 0
        }
    }
}

/// Delays and intervals beyond a year are surely a mistake (a negative number passed as unsigned).
private let maxTimerMs: UInt64 = 365 * 24 * 3600 * 1000

private func apiTimerStart(_ plugin: OpaquePointer?, _ delayMs: UInt64, _ intervalMs: UInt64, _ fn: bothost_timer_fn?,
                           _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                           _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .timer, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "timer_start needs a function") }
        guard delayMs <= maxTimerMs, intervalMs <= maxTimerMs else {
            throw HostCallError(Status.invalidArgument, "timer delay \(delayMs) ms / interval \(intervalMs) ms is over a year; was a negative number passed?")
        }
        let timer = PluginTimer(owner: instance, registration: registration, fn: fn, intervalMs: intervalMs,
                                scheduler: instance.runtime.scheduler)
        registration.teardown = { _ in timer.cancel() }
        timer.arm(delayMs: delayMs)
    }
}
