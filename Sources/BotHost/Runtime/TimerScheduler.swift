import Foundation
import Synchronization

/// Fires actions at deadlines on a `HostClock`. One thread sleeps until the earliest deadline (or,
/// on a manual clock, until the clock is advanced); actions run on that thread and must be quick —
/// the host's actions only enqueue work onto plugin executors.
public final class TimerScheduler: Sendable {
    public typealias Action = @Sendable () -> Void
    public struct Token: Hashable, Sendable { let id: UInt64 }

    private struct Entry {
        let deadlineNs: UInt64
        let id: UInt64
        let action: Action
    }

    private struct State {
        var heap = MinHeap<Entry>(by: { ($0.deadlineNs, $0.id) < ($1.deadlineNs, $1.id) })
        /// Ids still scheduled; cancelling removes the id (O(1)) and leaves the entry to be skipped.
        var live = Set<UInt64>()
        var nextID: UInt64 = 1
        var shutdown = false
    }

    private let clock: any HostClock
    private let state = Mutex(State())
    private let wakeup = ConditionSignal()

    public init(clock: any HostClock, name: String = "bothost.timers") {
        self.clock = clock
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
        clock.onAdvance { [weak self] in self?.wakeup.signal() }
    }

    /// Schedules `action` after `delayNs` on this scheduler's clock.
    @discardableResult
    public func schedule(afterNs delayNs: UInt64, _ action: @escaping Action) -> Token {
        schedule(atNs: clock.monotonicNs() &+ delayNs, action)
    }

    /// Schedules `action` at an absolute reading of this scheduler's monotonic clock.
    @discardableResult
    public func schedule(atNs deadline: UInt64, _ action: @escaping Action) -> Token {
        let token = state.withLock { s -> Token in
            let id = s.nextID
            s.nextID += 1
            s.heap.push(Entry(deadlineNs: deadline, id: id, action: action))
            s.live.insert(id)
            return Token(id: id)
        }
        wakeup.signal()
        return token
    }

    public var nowNs: UInt64 { clock.monotonicNs() }

    /// Timers still scheduled, and how far away the earliest entry is (negative: overdue, which
    /// for more than a moment means the timer thread is stuck in an action).
    func snapshot() -> (scheduled: Int, nextInMs: Int64?) {
        state.withLock { s in
            let now = clock.monotonicNs()
            return (s.live.count, s.heap.peek.map { Int64(bitPattern: $0.deadlineNs &- now) / 1_000_000 })
        }
    }

    /// Cancels a scheduled action; harmless if it already ran.
    public func cancel(_ token: Token) {
        state.withLock { s in
            guard s.live.remove(token.id) != nil else { return }
            // Many cancelled entries (request timeouts answered in time): rebuild without them.
            if s.heap.count > 4096, s.live.count < s.heap.count / 4 {
                s.heap.removeAll { !s.live.contains($0.id) }
            }
        }
    }

    public func shutdown() {
        state.withLock { $0.shutdown = true }
        wakeup.signal()
    }

    private func run() {
        while true {
            var due: [Action] = []
            var waitNs: UInt64? = nil
            let stop = state.withLock { s -> Bool in
                if s.shutdown { return true }
                let now = clock.monotonicNs()
                while let top = s.heap.peek, top.deadlineNs <= now {
                    s.heap.pop()
                    if s.live.remove(top.id) != nil { due.append(top.action) }
                }
                if let top = s.heap.peek { waitNs = top.deadlineNs - now }
                return false
            }
            if stop { return }
            for action in due { action() }
            if !due.isEmpty { continue }
            // On a manual clock only `advance` (or a new entry) wakes us; still poll now and then.
            let limit: UInt64 = clock.isRealTime ? (waitNs ?? 1_000_000_000) : 1_000_000_000
            wakeup.wait(timeoutNs: min(limit, 1_000_000_000))
        }
    }
}

/// A binary min-heap ordered by a comparison function.
struct MinHeap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    init(by less: @escaping (Element, Element) -> Bool) { self.less = less }

    var peek: Element? { items.first }
    var count: Int { items.count }
    /// Drops the matching elements and restores the heap order (O(n)).
    mutating func removeAll(where match: (Element) -> Bool) {
        let kept = items.filter { !match($0) }
        items.removeAll(keepingCapacity: true)
        for element in kept { push(element) }
    }

    mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, less(items[left], items[smallest]) { smallest = left }
            if right < items.count, less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}

/// A wake-up signal with a timed wait; a signal sent while nobody waits is remembered once.
final class ConditionSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = false

    func signal() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    func wait(timeoutNs: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        if !pending {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(timeoutNs) / 1e9))
        }
        pending = false
    }
}
