import Synchronization

/// Sleeps on the host clock through a `TimerScheduler`, so that on a `ManualClock` every connection
/// delay (heartbeats, backoff, identify spacing) moves only when a test advances time.
package struct SchedulerSleeper: Sendable {
    package let scheduler: TimerScheduler
    private let sleepers = Sleepers()

    package init(scheduler: TimerScheduler) { self.scheduler = scheduler }

    package var nowNs: UInt64 { scheduler.nowNs }

    /// The deadlines of the sleeps in progress: lets a test see what a connection waits for.
    package var pendingDeadlinesNs: [UInt64] { sleepers.pendingDeadlines }

    package func sleep(for duration: Duration) async throws {
        try await sleep(untilNs: nowNs &+ SchedulerTime.nanoseconds(duration))
    }

    /// Returns at `deadline` on the scheduler's clock; throws `CancellationError` if the task is
    /// cancelled first or the sleeper is shut down.
    package func sleep(untilNs deadline: UInt64) async throws {
        try Task.checkCancellation()
        let waiter = Waiter(deadlineNs: deadline)
        guard let key = sleepers.add(waiter) else { throw CancellationError() }
        defer { sleepers.remove(key) }
        if deadline <= nowNs { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                guard waiter.install(continuation) else { return }
                let token = scheduler.schedule(atNs: deadline) { waiter.finish(nil) }
                if !waiter.remember(token) { scheduler.cancel(token) }
            }
        } onCancel: {
            if let token = waiter.finish(CancellationError()) { scheduler.cancel(token) }
        }
    }

    /// Wakes every sleep with `CancellationError` and refuses new ones: nothing waits on a
    /// scheduler that will never fire again.
    package func shutdown() {
        for waiter in sleepers.close() { waiter.finish(CancellationError()) }
    }

    /// The sleeps in progress, so that shutdown can end them.
    private final class Sleepers: Sendable {
        private struct State {
            var closed = false
            var next: UInt64 = 0
            var waiters: [UInt64: Waiter] = [:]
        }
        private let state = Mutex(State())

        func add(_ waiter: Waiter) -> UInt64? {
            state.withLock { s in
                guard !s.closed else { return nil }
                s.next += 1
                s.waiters[s.next] = waiter
                return s.next
            }
        }

        func remove(_ key: UInt64) { _ = state.withLock { $0.waiters.removeValue(forKey: key) } }

        var pendingDeadlines: [UInt64] {
            state.withLock { $0.waiters.values.filter { !$0.isEnded }.map(\.deadlineNs) }
        }

        func close() -> [Waiter] {
            state.withLock { s in
                s.closed = true
                defer { s.waiters.removeAll() }
                return Array(s.waiters.values)
            }
        }
    }

    /// One sleep's continuation, resumed exactly once by whichever comes first.
    private final class Waiter: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Void, any Error>?
            var token: TimerScheduler.Token?
            var ended = false
            var error: (any Error)?
        }
        private let state = Mutex(State())
        let deadlineNs: UInt64

        init(deadlineNs: UInt64) { self.deadlineNs = deadlineNs }

        var isEnded: Bool { state.withLock { $0.ended } }

        /// False when the sleep already ended (cancelled before it began); the continuation is
        /// resumed here in that case.
        func install(_ continuation: CheckedContinuation<Void, any Error>) -> Bool {
            let (ended, error) = state.withLock { s -> (Bool, (any Error)?) in
                if s.ended { return (true, s.error) }
                s.continuation = continuation
                return (false, nil)
            }
            guard ended else { return true }
            if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            return false
        }

        /// False when the sleep already ended, so the caller should cancel the timer.
        func remember(_ token: TimerScheduler.Token) -> Bool {
            state.withLock { s in
                guard !s.ended else { return false }
                s.token = token
                return true
            }
        }

        /// Ends the sleep (nil = the deadline passed). Returns the timer to cancel, if any.
        @discardableResult
        func finish(_ error: (any Error)?) -> TimerScheduler.Token? {
            let (continuation, token) = state.withLock { s -> (CheckedContinuation<Void, any Error>?, TimerScheduler.Token?) in
                guard !s.ended else { return (nil, nil) }
                s.ended = true
                s.error = error
                defer { s.continuation = nil }
                return (s.continuation, s.token)
            }
            if let continuation {
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
            return error == nil ? nil : token
        }
    }
}

/// Conversions between `Duration` and the scheduler's nanoseconds.
package enum SchedulerTime {
    package static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        return whole &+ UInt64(max(attoseconds, 0) / 1_000_000_000)
    }

    package static func duration(nanoseconds ns: UInt64) -> Duration {
        .nanoseconds(Int64(clamping: ns))
    }

    /// "250 ms", "4.2 s", "2 h 13 min": for log lines an operator reads.
    package static func describe(_ duration: Duration) -> String {
        let ms = Double(nanoseconds(duration)) / 1e6
        if ms < 1000 { return "\(Int(ms.rounded())) ms" }
        let s = ms / 1000
        if s < 120 { return s == s.rounded() ? "\(Int(s)) s" : "\((s * 10).rounded() / 10) s" }
        let minutes = Int(s / 60)
        return minutes < 120 ? "\(minutes) min" : "\(minutes / 60) h \(minutes % 60) min"
    }
}
