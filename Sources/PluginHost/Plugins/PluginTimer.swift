import BotHostCore
import PluginAPI
import Synchronization

/// A plugin's one-shot or repeating timer on the host clock.
///
/// A repeating timer keeps its phase (next = previous deadline + interval, so it does not drift)
/// and never has more than one firing queued: a plugin that is slow skips ticks instead of being
/// flooded with them.
package final class PluginTimer: Sendable {
    private let owner: PluginInstance
    private let registration: Registration
    private let fn: bothost_timer_fn
    private let intervalNs: UInt64
    private let scheduler: TimerScheduler
    private let token = Mutex<TimerScheduler.Token?>(nil)
    private let firingQueued = Atomic<Bool>(false)

    package init(owner: PluginInstance, registration: Registration, fn: @escaping bothost_timer_fn, intervalMs: UInt64, scheduler: TimerScheduler) {
        self.owner = owner
        self.registration = registration
        self.fn = fn
        self.intervalNs = intervalMs * 1_000_000
        self.scheduler = scheduler
    }

    package func arm(delayMs: UInt64) {
        schedule(at: scheduler.nowNs &+ delayMs * 1_000_000)
    }

    package func cancel() {
        if let current = token.withLock({ $0.take() }) { scheduler.cancel(current) }
    }

    private func schedule(at deadline: UInt64) {
        let next = scheduler.schedule(atNs: deadline, lane: owner.timerLane) { [weak self] in self?.fire(deadline) }
        token.withLock { $0 = next }
        if !registration.isActive { cancel() }
    }

    private func fire(_ deadline: UInt64) {
        let handle = registration.handle
        let fn = self.fn
        if intervalNs == 0 {
            guard let taken = owner.take(handle) else { return }
            owner.complete(taken) { fn(taken.userData, handle) }
            return
        }
        guard registration.isActive else { return }
        if !firingQueued.exchange(true, ordering: .acquiringAndReleasing) {
            let registration = self.registration
            owner.callback(registration) { [self] in
                firingQueued.store(false, ordering: .releasing)
                fn(registration.userData, handle)
            }
        }
        // Next tick on the original phase; skip the ticks we are already behind on.
        let now = scheduler.nowNs
        var next = deadline &+ intervalNs
        if next <= now { next = now &+ intervalNs - ((now &- deadline) % intervalNs) }
        schedule(at: next)
    }
}
