import BotHostCore
import Foundation
import Logging
import Synchronization

/// Watches every plugin's executor in real time: reports callbacks that overrun their budget
/// (once per callback) and bus deliveries dropped on full queues (as a running count).
package final class Watchdog: @unchecked Sendable {
    private let budgetNs: UInt64
    private let budgetMs: Int
    private let maxOverruns: Int
    private let capacity: Int
    private let capacityBytes: Int
    private let logger: Logger
    private struct Seen { var overrunSerial: UInt64 = 0; var dropped: UInt64 = 0 }
    private let seen = Mutex<[ObjectIdentifier: Seen]>([:])
    private let timerLock = NSLock()
    private var timer: DispatchSourceTimer?  // guarded by timerLock

    package init(budgetMs: Int, maxOverruns: Int, capacity: Int, capacityBytes: Int, logger: Logger) {
        self.budgetMs = budgetMs
        self.budgetNs = UInt64(budgetMs) * 1_000_000
        self.maxOverruns = maxOverruns
        self.capacity = capacity
        self.capacityBytes = capacityBytes
        self.logger = logger
    }

    package func start(runtime: HostRuntime) {
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "bothost.watchdog"))
        let interval = max(10, min(250, budgetMs / 4))
        source.schedule(deadline: .now() + .milliseconds(interval), repeating: .milliseconds(interval))
        source.setEventHandler { [weak self, weak runtime] in
            guard let self, let runtime else { return }
            self.check(runtime)
        }
        source.resume()
        timerLock.withLock { timer = source }
    }

    package func stop() {
        timerLock.withLock { timer?.cancel(); timer = nil }
    }

    private func check(_ runtime: HostRuntime) {
        let now = MonotonicTime.coarseNs()
        for instance in runtime.liveInstances {
            let executor = instance.executor
            let id = ObjectIdentifier(instance)
            // An isolated plugin's callbacks run in its process: what counts is how long the child
            // has been on its oldest unfinished one.
            let process = instance.library.process
            let since = process?.busySinceNs.load(ordering: .relaxed) ?? executor.runningSinceNs.load(ordering: .relaxed)
            let serial = process?.finishedCount.load(ordering: .relaxed) ?? executor.jobSerial.load(ordering: .relaxed)
            if let process, since != 0, now > since, now - since > UInt64(process.settings.killAfterMs) * 1_000_000 {
                process.kill(reason: "a callback has been running for \((now - since) / 1_000_000) ms, past its limits.killAfterMs of \(process.settings.killAfterMs) ms")
            }
            let dropped = executor.droppedCount.load(ordering: .relaxed)
            var report: (overrunMs: Int?, newDrops: UInt64) = (nil, 0)
            seen.withLock { table in
                var entry = table[id] ?? Seen()
                if since != 0, now > since, now - since > budgetNs, entry.overrunSerial != serial {
                    entry.overrunSerial = serial
                    report.overrunMs = Int((now - since) / 1_000_000)
                }
                if dropped > entry.dropped {
                    report.newDrops = dropped - entry.dropped
                    entry.dropped = dropped
                }
                table[id] = entry
            }
            if let ms = report.overrunMs {
                let count = instance.overrunCount.add(1, ordering: .relaxed).newValue
                logger.warning("plugin \(instance.name): a callback has been running for \(ms) ms (budget \(budgetMs) ms); overruns so far: \(count)")
                runtime.events.publish(HostEvent.CallbackOverrun(plugin: instance.name, runningMs: ms, budgetMs: budgetMs, overruns: count))
                if maxOverruns > 0, count >= maxOverruns {
                    logger.error("plugin \(instance.name) overran its callback budget \(count) times (limit \(maxOverruns)); stopping it")
                    runtime.events.announce(.overrunLimitReached(plugin: instance.name, overruns: count))
                }
            }
            if report.newDrops > 0 {
                logger.warning("plugin \(instance.name): dropped \(report.newDrops) bus events because its queue was full (capacity \(capacity) events or \(capacityBytes) bytes, \(dropped) dropped in all)")
                runtime.events.publish(HostEvent.BusOverflow(plugin: instance.name, dropped: report.newDrops, totalDropped: dropped,
                                                             capacity: capacity, capacityBytes: capacityBytes))
            }
        }
    }
}
