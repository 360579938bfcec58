import BotHostCore
import Synchronization

/// Puts the pure `RateLimiter` to work for concurrent callers: each caller queues (`enqueue`) and
/// suspends (`wait`) until the limiter grants its request, and a timer on the host clock pumps the limiter when a
/// wait ends. Responses and failures pump it too. Works unchanged on a `ManualClock`.
package final class RateLimitGate: Sendable {
    package typealias Outcome = Result<RateLimitTicket, DiscordRESTError>

    /// A queued request: its caller may not be waiting yet (the request is queued synchronously, so
    /// that calls keep their order, and awaited afterwards), so a grant can be parked here.
    private struct Waiter {
        let route: DiscordRoute
        var continuation: CheckedContinuation<Outcome, Never>?
        var parked: Outcome?
    }

    private struct State {
        var limiter: RateLimiter
        var waiters: [UInt64: Waiter] = [:]
        var sleepers: [UInt64: (continuation: CheckedContinuation<Bool, Never>?, untilMs: Int64)] = [:]
        var timerAtMs: Int64?
        /// Granted requests not yet completed or abandoned.
        var outstanding = 0
        var nextID: UInt64 = 1
        var nextSequence: UInt64 = 1
        var closed = false
    }

    /// How often requests that wait on an event (a probe's response) re-check anyway, so that no
    /// unforeseen state can strand them.
    private static let safetyPollMs: Int64 = 1000

    private let state: Mutex<State>
    private let clock: any HostClock
    package let scheduler: TimerScheduler  // not private: tests wait until its due timers have fired

    package init(limiter: RateLimiter, clock: any HostClock) {
        state = Mutex(State(limiter: limiter))
        self.clock = clock
        scheduler = TimerScheduler(clock: clock, name: "bothost.discord.rest")
    }

    /// The limiter's time: the host clock's monotonic reading in milliseconds.
    package var nowMs: Int64 { Int64(clock.monotonicNs() / 1_000_000) }

    /// Orders a request among others to the same endpoint; a retry reuses its number.
    package func nextSequence() -> UInt64 {
        state.withLock { s in
            defer { s.nextSequence += 1 }
            return s.nextSequence
        }
    }

    /// Queues a request now, without waiting; `wait` then waits for its turn. Queuing in the
    /// caller's own order is what keeps requests to one endpoint in order.
    package func enqueue(_ route: DiscordRoute, sequence: UInt64) -> UInt64 {
        let id = state.withLock { s -> UInt64 in
            defer { s.nextID += 1 }
            if s.closed {
                s.waiters[s.nextID] = Waiter(route: route, parked: .failure(.shutdown))
            } else {
                s.waiters[s.nextID] = Waiter(route: route)
                s.limiter.enqueue(id: s.nextID, route: route, sequence: sequence)
            }
            return s.nextID
        }
        pump()
        return id
    }

    /// Waits until the limiter lets a queued request go. Cancelling the caller's task gives up its
    /// place (or returns a grant it had not picked up yet).
    package func wait(_ id: UInt64) async -> Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                enum Step { case suspended, ready(Outcome), cancelled }
                let step: Step = state.withLock { s in
                    guard var waiter = s.waiters[id] else { return .ready(.failure(s.closed ? .shutdown : .cancelled)) }
                    if let parked = waiter.parked {
                        s.waiters[id] = nil
                        return .ready(parked)
                    }
                    // The cancellation flag is set before the handler runs, and both take this lock.
                    if Task.isCancelled { return .cancelled }
                    waiter.continuation = continuation
                    s.waiters[id] = waiter
                    return .suspended
                }
                switch step {
                case .suspended: break
                case .ready(let outcome): continuation.resume(returning: outcome)
                case .cancelled:
                    cancel(id)
                    continuation.resume(returning: .failure(.cancelled))
                }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Gives up a queued request: out of the queue, a parked grant handed back, the waiter resumed.
    package func cancel(_ id: UInt64) {
        let waiter = state.withLock { s -> Waiter? in
            guard let waiter = s.waiters.removeValue(forKey: id) else { return nil }
            if case .success(let ticket)? = waiter.parked {
                s.outstanding -= 1
                s.limiter.abandon(ticket)
            } else if waiter.parked == nil {
                s.limiter.remove(id: id, route: waiter.route)
            }
            return waiter
        }
        waiter?.continuation?.resume(returning: .failure(.cancelled))
        if waiter != nil { pump() }
    }

    /// Reports a granted request's response; returns what it meant to the limiter.
    package func complete(_ ticket: RateLimitTicket, status: Int, info: RateLimitInfo) -> RateLimiter.Completion {
        let completion = state.withLock { s in
            s.outstanding -= 1
            return s.limiter.complete(ticket, status: status, info: info, nowMs: nowMs)
        }
        pump()
        return completion
    }

    /// Reports a granted request that got no response.
    package func abandon(_ ticket: RateLimitTicket) {
        state.withLock { s in
            s.outstanding -= 1
            s.limiter.abandon(ticket)
        }
        pump()
    }

    package var invalidRequestCount: Int {
        let now = nowMs
        return state.withLock { $0.limiter.invalidCount(nowMs: now) }
    }

    package var queuedCount: Int { state.withLock { $0.limiter.queuedCount } }

    /// Sleeps `ms` on the host clock (retry backoff). False when cancelled or shut down.
    package func sleep(ms: Int64) async -> Bool {
        let until = nowMs + max(0, ms)
        let id = state.withLock { s in
            defer { s.nextID += 1 }
            s.sleepers[s.nextID] = (nil, until)
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let stored = state.withLock { s -> Bool in
                    guard !s.closed, !Task.isCancelled, s.sleepers[id] != nil else {
                        s.sleepers[id] = nil
                        return false
                    }
                    s.sleepers[id] = (continuation, until)
                    return true
                }
                guard stored else { return continuation.resume(returning: false) }
                scheduler.schedule(atNs: UInt64(max(0, until)) * 1_000_000) { [self] in wake(sleeper: id, true) }
            }
        } onCancel: {
            wake(sleeper: id, false)
        }
    }

    /// When nothing is in flight: the earliest time a waiting request or a retry backoff can move
    /// on (nil when requests are in flight, or nothing waits). Lets a test drive two manual clocks —
    /// the client's and a frozen emulator's — forward together, only while no request is on the wire.
    package var idleUntilMs: Int64? {
        state.withLock { s in
            guard s.outstanding == 0 else { return nil }
            let sleeper = s.sleepers.values.map(\.untilMs).min()
            let waiting = s.waiters.values.contains { $0.parked == nil } ? s.timerAtMs : nil
            return [sleeper, waiting].compactMap { $0 }.min()
        }
    }

    /// Fails every waiting caller with `.shutdown` and stops the timer thread.
    package func close() {
        let (waiters, sleepers) = state.withLock { s in
            s.closed = true
            defer { s.waiters.removeAll(); s.sleepers.removeAll() }
            return (Array(s.waiters.values), Array(s.sleepers.values))
        }
        for waiter in waiters { waiter.continuation?.resume(returning: .failure(.shutdown)) }
        for sleeper in sleepers { sleeper.continuation?.resume(returning: false) }
        scheduler.shutdown()
    }

    // MARK: private

    private func wake(sleeper id: UInt64, _ finished: Bool) {
        // A cancellation before the continuation is stored leaves the entry out, which `sleep` sees.
        state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation?.resume(returning: finished)
    }

    /// Runs the limiter, resumes whoever may go, and arms the timer for the next wait's end.
    private func pump() {
        let (ready, armAt) = state.withLock { s -> ([(CheckedContinuation<Outcome, Never>, Outcome)], Int64?) in
            // Read under the lock, so that pumps on different threads never see time run backwards.
            let now = nowMs
            let pump = s.limiter.pump(nowMs: now)
            var ready: [(CheckedContinuation<Outcome, Never>, Outcome)] = []
            for (id, grant) in pump.grants {
                let outcome: Outcome = switch grant {
                case .go(let ticket): .success(ticket)
                case .refuse(let why): .failure(.refusedByGuard(why))
                }
                guard var waiter = s.waiters[id] else {
                    if case .go(let ticket) = grant { s.limiter.abandon(ticket) }
                    continue
                }
                if case .go = grant { s.outstanding += 1 }
                if let continuation = waiter.continuation {
                    s.waiters[id] = nil
                    ready.append((continuation, outcome))
                } else {
                    waiter.parked = outcome
                    s.waiters[id] = waiter
                }
            }
            let waiting = s.waiters.values.contains { $0.parked == nil }
            guard !s.closed, let wake = pump.wakeAtMs ?? (waiting ? now + Self.safetyPollMs : nil) else {
                return (ready, nil)
            }
            if let armed = s.timerAtMs, armed > now, armed <= wake { return (ready, nil) }
            s.timerAtMs = wake
            return (ready, wake)
        }
        for (continuation, outcome) in ready { continuation.resume(returning: outcome) }
        if let armAt {
            scheduler.schedule(atNs: UInt64(max(0, armAt)) * 1_000_000) { [self] in
                state.withLock { s in if s.timerAtMs == armAt { s.timerAtMs = nil } }
                pump()
            }
        }
    }
}
