import Foundation

/// What every part of the host that can wait is doing, as lines an operator can read: asked for
/// with SIGUSR1 or the console's `dump` when a bot stops answering without crashing, so that the
/// freeze explains itself. Safe to call from any thread at any time; it takes each part's lock once.
extension HostRuntime {
    public func diagnosticReport() -> [String] {
        var lines: [String] = []
        let timers = scheduler.snapshot()
        lines.append("timers: \(timers.scheduled) scheduled" + (timers.nextInMs.map { ", next in \($0) ms" } ?? ""))
        let bus = self.bus.counts
        lines.append("bus: \(bus.subscriptions) subscription(s), \(bus.taps) host tap(s); \(broker.pendingCount) request(s) awaiting a reply")
        lines.append("interactions in flight: \(commands.interactionsInFlight)")
        let instances = liveInstances.sorted { $0.name < $1.name }
        if instances.isEmpty { lines.append("plugins: none running") }
        for instance in instances {
            let e = instance.executor.snapshot()
            let running = e.runningForMs.map { "a job running for \($0) ms" } ?? "idle"
            var line = "plugin \(instance.name) [\(instance.phase)]: \(running), \(e.queued) queued (\(e.queuedBytes) bytes of events), "
            line += e.scheduled ? "drain scheduled" : "no drain scheduled"
            line += ", \(e.jobsStarted) job(s) run, \(e.dropped) dropped, \(instance.registrationCount) registration(s)"
            let t = scheduler.stats(lane: instance.timerLane)
            line += ", \(t.fired) timer firing(s), at worst \(t.worstWaitBehind) behind other plugins'"
            // Work waiting with nobody to drain it can only be a lost wake-up.
            if e.queued > 0 && !e.scheduled { line += " — STALLED: queued work with no drain" }
            lines.append(line)
        }
        return lines
    }
}
