import Foundation
import Synchronization

/// The clock plugins see (`now_ms`, timers, request timeouts). Production uses the system clock;
/// tests use `ManualClock` so that timers and windows can be exercised without sleeping.
public protocol HostClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMs() -> Int64
    /// A monotonic reading in nanoseconds, used for scheduling.
    func monotonicNs() -> UInt64
    /// Lets a scheduler learn when a manual clock moves. The system clock never calls it.
    func onAdvance(_ action: @escaping @Sendable () -> Void)
    /// Whether schedulers should sleep in real time until the next deadline.
    var isRealTime: Bool { get }
}

/// Wall time for `nowMs`, CLOCK_MONOTONIC for scheduling.
public struct SystemClock: HostClock {
    public init() {}
    public func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
    public func monotonicNs() -> UInt64 { MonotonicTime.nowNs() }
    public func onAdvance(_ action: @escaping @Sendable () -> Void) {}
    public var isRealTime: Bool { true }
}

/// A clock that moves only when told to. Timers due at or before the new time fire on `advance`.
public final class ManualClock: HostClock {
    private struct State {
        var nowMs: Int64
        var monotonicNs: UInt64 = 1_000_000_000
        var observers: [@Sendable () -> Void] = []
    }
    private let state: Mutex<State>

    public init(startMs: Int64 = 1_700_000_000_000) {
        state = Mutex(State(nowMs: startMs))
    }
    public func nowMs() -> Int64 { state.withLock { $0.nowMs } }
    public func monotonicNs() -> UInt64 { state.withLock { $0.monotonicNs } }
    public func onAdvance(_ action: @escaping @Sendable () -> Void) { state.withLock { $0.observers.append(action) } }
    public var isRealTime: Bool { false }

    /// Moves time forward and lets every scheduler fire what became due.
    public func advance(byMs ms: Int64) {
        precondition(ms >= 0, "a clock does not go backwards")
        let observers = state.withLock { s -> [@Sendable () -> Void] in
            s.nowMs += ms
            s.monotonicNs += UInt64(ms) * 1_000_000
            return s.observers
        }
        for observer in observers { observer() }
    }
}

/// Real monotonic time, for things that must not follow a manual clock (watchdogs, deadlines).
public enum MonotonicTime {
    @inline(__always)
    public static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// A cheap reading with a few milliseconds of resolution: enough to time callback budgets.
    @inline(__always)
    public static func coarseNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
