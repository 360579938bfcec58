import Foundation
import Synchronization

/// Fires actions at deadlines on a `HostClock`. One thread sleeps until the earliest deadline (or,
/// on a manual clock, until the clock is advanced); actions run on that thread and must be quick —
/// the host's actions only enqueue work onto plugin executors.
///
/// Entries live in lanes — one per plugin, lane 0 for the host — and the thread serves due entries
/// in rounds: at most `perLaneQuota` from each lane per round. A plugin with a hundred thousand due
/// 1 ms timers then falls behind on its own timers, but another plugin's due timer waits for at
/// most one round — never behind the whole backlog, as it did when every due entry ran in
/// deadline order.
public final class TimerScheduler: Sendable {
    public typealias Action = @Sendable () -> Void
    public struct Token: Hashable, Sendable { let id: UInt64; let lane: UInt64 }
    /// The host's own lane: whatever the host schedules on this scheduler for itself (on the runtime's,
    /// interaction deadlines and voice; the gateway and REST have schedulers of their own).
    public static let hostLane: UInt64 = 0
    /// Due entries a lane may fire per round.
    package static let perLaneQuota = 64

    private struct Entry {
        let deadlineNs: UInt64
        let id: UInt64
        let action: Action
    }

    private struct Lane {
        var heap = MinHeap<Entry>(by: { ($0.deadlineNs, $0.id) < ($1.deadlineNs, $1.id) })
        /// Entries still scheduled (the heap also holds cancelled ones until they surface).
        var liveCount = 0
        var stats = LaneStats()
    }

    /// What one lane's entries went through, for diagnostics and fairness checks.
    package struct LaneStats: Sendable, Equatable {
        /// Actions run.
        package var fired: UInt64 = 0
        /// The most actions of other lanes that ran in a round before one of this lane's due
        /// entries: with fair rounds at most `perLaneQuota` for each other lane with due work.
        package var worstWaitBehind = 0
    }

    private struct State {
        var lanes: [UInt64: Lane] = [:]
        /// Ids still scheduled; cancelling removes the id (O(1)) and leaves the entry to be skipped.
        var live = Set<UInt64>()
        var nextID: UInt64 = 1
        /// Rounds that fired something: which lane goes first in the next round rotates with it,
        /// so that no lane is always served last.
        var rounds = 0
        /// Lanes whose owner has gone but that still held live entries (a timer re-armed while
        /// its plugin stopped): dropped once they run empty.
        var retired = Set<UInt64>()
        /// Actions waiting until every entry due at their reading has run (`afterDueActions`).
        var barriers: [(deadlineNs: UInt64, action: Action)] = []
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
    public func schedule(afterNs delayNs: UInt64, lane: UInt64 = hostLane, _ action: @escaping Action) -> Token {
        schedule(atNs: clock.monotonicNs() &+ delayNs, lane: lane, action)
    }

    /// Schedules `action` at an absolute reading of this scheduler's monotonic clock.
    @discardableResult
    public func schedule(atNs deadline: UInt64, lane: UInt64 = hostLane, _ action: @escaping Action) -> Token {
        let token = state.withLock { s -> Token in
            let id = s.nextID
            s.nextID += 1
            s.lanes[lane, default: Lane()].heap.push(Entry(deadlineNs: deadline, id: id, action: action))
            s.lanes[lane, default: Lane()].liveCount += 1
            s.live.insert(id)
            return Token(id: id, lane: lane)
        }
        wakeup.signal()
        return token
    }

    public var nowNs: UInt64 { clock.monotonicNs() }

    /// Runs `action` once every entry due at the clock's current reading, in every lane, has
    /// run — rounds interleave lanes, so deadline order alone no longer says when that is.
    package func afterDueActions(_ action: @escaping Action) {
        state.withLock { s in s.barriers.append((clock.monotonicNs(), action)) }
        wakeup.signal()
    }

    /// Timers still scheduled, and how far away the earliest entry is (negative: overdue, which
    /// for more than a moment means the timer thread is stuck in an action).
    package func snapshot() -> (scheduled: Int, nextInMs: Int64?) {
        state.withLock { s in
            let now = clock.monotonicNs()
            let next = s.lanes.values.compactMap { $0.heap.peek?.deadlineNs }.min()
            return (s.live.count, next.map { Int64(bitPattern: $0 &- now) / 1_000_000 })
        }
    }

    /// A lane's statistics (zero for a lane never used).
    package func stats(lane: UInt64) -> LaneStats {
        state.withLock { $0.lanes[lane]?.stats ?? LaneStats() }
    }

    /// Forgets a lane whose owner has gone (its entries were cancelled already).
    package func removeLane(_ lane: UInt64) {
        state.withLock { s in
            guard lane != Self.hostLane, let removed = s.lanes.removeValue(forKey: lane) else { return }
            if removed.liveCount > 0 {
                s.lanes[lane] = removed  // still in use: keep it until it runs empty
                s.retired.insert(lane)
            }
        }
    }

    /// Cancels a scheduled action; harmless if it already ran.
    public func cancel(_ token: Token) {
        state.withLock { s in
            guard s.live.remove(token.id) != nil, var lane = s.lanes.removeValue(forKey: token.lane) else { return }
            lane.liveCount -= 1
            // Many cancelled entries (request timeouts answered in time): rebuild without them.
            if lane.heap.count > 4096, lane.liveCount < lane.heap.count / 4 {
                lane.heap.removeAll { !s.live.contains($0.id) }
            }
            s.lanes[token.lane] = lane
        }
    }

    public func shutdown() {
        state.withLock { $0.shutdown = true }
        wakeup.signal()
    }

    private func run() {
        while true {
            var due: [(lane: UInt64, action: Action)] = []
            var waitNs: UInt64? = nil
            let stop = state.withLock { s -> Bool in
                if s.shutdown { return true }
                let now = clock.monotonicNs()
                let order = s.lanes.keys.sorted()
                let first = order.isEmpty ? 0 : s.rounds % order.count
                for id in order[first...] + order[..<first] {
                    guard var lane = s.lanes.removeValue(forKey: id) else { continue }
                    var taken = 0
                    while taken < Self.perLaneQuota, let top = lane.heap.peek, top.deadlineNs <= now {
                        lane.heap.pop()
                        if s.live.remove(top.id) != nil {
                            lane.liveCount -= 1
                            due.append((id, top.action))
                            taken += 1
                        }
                    }
                    if let top = lane.heap.peek { waitNs = min(waitNs ?? .max, top.deadlineNs > now ? top.deadlineNs - now : 0) }
                    if lane.liveCount == 0 && s.retired.contains(id) {
                        s.retired.remove(id)
                        continue
                    }
                    s.lanes[id] = lane
                }
                // Only rounds that fire move the rotation on, so that who goes first does not
                // depend on how often the thread woke up idle.
                if !due.isEmpty { s.rounds &+= 1 }
                return false
            }
            if stop { return }
            for entry in due { entry.action() }
            if !due.isEmpty { record(due) }
            let passed = passedBarriers()
            for action in passed { action() }
            if due.isEmpty && passed.isEmpty {
                // On a manual clock only `advance` (or a new entry) wakes us; still poll now and then.
                let limit: UInt64 = clock.isRealTime ? (waitNs ?? 1_000_000_000) : 1_000_000_000
                wakeup.wait(timeoutNs: min(limit, 1_000_000_000))
            }
        }
    }

    /// Takes the barriers no lane still has a due entry for.
    private func passedBarriers() -> [Action] {
        state.withLock { s in
            guard !s.barriers.isEmpty else { return [] }
            let earliest = s.lanes.values.compactMap { $0.heap.peek?.deadlineNs }.min() ?? .max
            var passed: [Action] = []
            s.barriers.removeAll { barrier in
                guard barrier.deadlineNs < earliest else { return false }
                passed.append(barrier.action)
                return true
            }
            return passed
        }
    }

    /// Counts a round's firings per lane; a lane's entries are contiguous in the round, so the
    /// first one's position is how many other lanes' actions ran ahead of it.
    private func record(_ round: [(lane: UInt64, action: Action)]) {
        state.withLock { s in
            var index = 0
            while index < round.count {
                let lane = round[index].lane
                var end = index
                while end < round.count && round[end].lane == lane { end += 1 }
                if var entry = s.lanes.removeValue(forKey: lane) {
                    entry.stats.fired += UInt64(end - index)
                    entry.stats.worstWaitBehind = max(entry.stats.worstWaitBehind, index)
                    s.lanes[lane] = entry
                }
                index = end
            }
        }
    }
}

/// A binary min-heap ordered by a comparison function.
package struct MinHeap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    package init(by less: @escaping (Element, Element) -> Bool) { self.less = less }

    package var peek: Element? { items.first }
    package var count: Int { items.count }
    /// Drops the matching elements and restores the heap order (O(n)).
    package mutating func removeAll(where match: (Element) -> Bool) {
        let kept = items.filter { !match($0) }
        items.removeAll(keepingCapacity: true)
        for element in kept { push(element) }
    }

    package mutating func push(_ element: Element) {
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
    package mutating func pop() -> Element? {
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
package final class ConditionSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = false

    package func signal() {
        condition.lock()
        pending = true
        condition.signal()
        condition.unlock()
    }

    package func wait(timeoutNs: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        if !pending {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(timeoutNs) / 1e9))
        }
        pending = false
    }
}
