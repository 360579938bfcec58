import Foundation
import Synchronization

/// One unit of work for a plugin's executor.
///
/// Bus deliveries are the hot path, so they are a dedicated case that needs no closure allocation;
/// everything else is a closure.
package enum ExecutorJob: Sendable {
    case deliver(any BusSubscription, BusMessage)
    case work(@Sendable () -> Void)
}

/// A serial executor for one plugin: jobs run one at a time, in the order they were enqueued, in
/// batches so that a busy plugin costs one wake-up per batch rather than per job.
///
/// Drains run on the executor's own private serial dispatch queue, never on the shared global
/// pool: plugin code may block (a sleep, a synchronous read, a hung cleanup hook), and on Linux the
/// global pool replaces a blocked thread only about once a second — so one blocking plugin used to
/// stall every other plugin's callbacks, and a few could stall them for good. A private queue gets
/// a thread at once however many others are blocked.
///
/// Droppable work (bus deliveries) is bounded by `capacity` jobs and by `capacityBytes` of queued
/// messages (topic and payload bytes): a plugin that stalls while large events arrive cannot make
/// the host hold more than that for it. Control work (lifecycle, replies, frees) is never refused,
/// so exactly-once guarantees survive a flood.
///
/// A job that never returns wedges the executor; `abandonRunningJob()` gives up on it and lets the
/// remaining work run on a new pool thread (used when a cleanup hook overruns its deadline).
package final class PluginExecutor: @unchecked Sendable {
    private struct State {
        var queue = RingBuffer<ExecutorJob>()
        var scheduled = false
        var generation: UInt64 = 0
        var droppableCount = 0
        /// The most message bytes ever held at once (diagnostics and tests).
        var peakQueuedBytes = 0
        /// Where drains run. Replaced when a job is abandoned: the stuck job keeps the old one's thread.
        var thread: DispatchQueue
    }

    package let label: String
    private let capacity: Int
    package let capacityBytes: Int
    /// Bytes of the bus messages queued and not yet started: added on enqueue (under the lock),
    /// taken off as each delivery starts (without it).
    private let queuedBytes = Atomic<Int>(0)
    private let state: Mutex<State>
    private let generation = Atomic<UInt64>(0)
    /// Coarse monotonic start of the running job (odd), 0 when idle; read by the watchdog.
    package let runningSinceNs = Atomic<UInt64>(0)
    /// Counts the jobs that started, to tell one long job from several short ones.
    package let jobSerial = Atomic<UInt64>(0)
    package let droppedCount = Atomic<UInt64>(0)
    private let threadMarker = Atomic<UInt>(0)
    /// Bumped by every enqueue, read without the lock by a drain deciding whether to linger.
    private let enqueued = Atomic<UInt64>(0)
    /// How long a drained executor keeps its thread, watching for more work, before it lets go.
    /// A stream of events (a gateway burst, a busy bus) then costs no wake-up per event; an idle
    /// plugin pays it once per burst, a few microseconds.
    package static let lingerNs: UInt64 = 20_000

    package init(label: String, capacity: Int, capacityBytes: Int = .max) {
        self.label = label
        self.capacity = max(16, capacity)
        self.capacityBytes = capacityBytes
        state = Mutex(State(thread: DispatchQueue(label: "bothost.\(label)")))
    }

    /// Enqueues a job. Returns false (and counts it) only when droppable work finds the queue full.
    @discardableResult
    package func enqueue(_ job: ExecutorJob, droppable: Bool = false) -> Bool {
        let (start, thread): (UInt64?, DispatchQueue?) = state.withLock { s in
            if droppable {
                if s.droppableCount >= capacity { return (UInt64.max, nil) }
                if case .deliver(_, let message) = job {
                    // An empty queue takes any one message, so the byte bound never blocks a plugin for good.
                    let held = queuedBytes.load(ordering: .relaxed), size = message.byteCount
                    if held > 0 && size > capacityBytes - held { return (UInt64.max, nil) }
                    queuedBytes.add(size, ordering: .relaxed)
                    s.peakQueuedBytes = max(s.peakQueuedBytes, held + size)
                }
                s.droppableCount += 1
            }
            s.queue.append(job)
            enqueued.add(1, ordering: .releasing)
            if s.scheduled { return (nil, nil) }
            s.scheduled = true
            return (s.generation, s.thread)
        }
        if start == UInt64.max {
            droppedCount.add(1, ordering: .relaxed)
            return false
        }
        if let start, let thread { thread.async { self.drain(start) } }
        return true
    }

    /// What the executor is doing, for a state dump: a queue with work that nobody drains
    /// (`scheduled` false, or no job running for long while scheduled) is a lost wake-up.
    package struct Snapshot: Sendable {
        package var queued: Int
        package var scheduled: Bool
        package var generation: UInt64
        /// How long the running job has run, or nil when none runs.
        package var runningForMs: UInt64?
        package var jobsStarted: UInt64
        package var dropped: UInt64
        /// Bytes of bus messages waiting, and the most ever waiting at once.
        package var queuedBytes: Int
        package var peakQueuedBytes: Int
    }

    package func snapshot() -> Snapshot {
        let (queued, scheduled, generation, peak) = state.withLock { ($0.queue.count, $0.scheduled, $0.generation, $0.peakQueuedBytes) }
        let since = runningSinceNs.load(ordering: .relaxed)
        let now = MonotonicTime.coarseNs()
        return Snapshot(queued: queued, scheduled: scheduled, generation: generation,
                        runningForMs: since == 0 ? nil : (now > since ? (now - since) / 1_000_000 : 0),
                        jobsStarted: jobSerial.load(ordering: .relaxed), dropped: droppedCount.load(ordering: .relaxed),
                        queuedBytes: queuedBytes.load(ordering: .relaxed), peakQueuedBytes: peak)
    }

    /// Jobs enqueued so far (a stopping plugin is drained until a barrier finds nothing new).
    package var enqueuedCount: UInt64 { enqueued.load(ordering: .acquiring) }

    /// Control work, which is never dropped.
    package func submit(_ work: @escaping @Sendable () -> Void) {
        enqueue(.work(work))
    }

    /// True when the calling thread is running this executor's jobs.
    package var isCurrent: Bool { threadMarker.load(ordering: .acquiring) == currentThreadID() }

    /// Gives up on the job running now (it may never return): queued work continues on a new
    /// thread. When the old job does return, the jobs of its batch are queued again behind.
    package func abandonRunningJob() {
        let (restart, thread): (UInt64?, DispatchQueue) = state.withLock { s in
            s.generation += 1
            generation.store(s.generation, ordering: .releasing)
            // The stuck job holds the current queue's thread: everything from now on drains elsewhere.
            s.thread = DispatchQueue(label: "bothost.\(label).\(s.generation)")
            if s.queue.isEmpty { s.scheduled = false; return (nil, s.thread) }
            s.scheduled = true
            return (s.generation, s.thread)
        }
        if let restart { thread.async { self.drain(restart) } }
    }

    private func drain(_ myGeneration: UInt64) {
        var batch = RingBuffer<ExecutorJob>()
        var ran = 0
        threadMarker.store(currentThreadID(), ordering: .releasing)
        var lingered = false
        while true {
            let seen = enqueued.load(ordering: .acquiring)
            let more: Bool = state.withLock { s in
                if s.generation != myGeneration { return false }
                if s.queue.isEmpty {
                    if !lingered { return false }
                    s.scheduled = false
                    return false
                }
                swap(&batch, &s.queue)
                s.droppableCount = 0
                return true
            }
            if !more {
                // Empty: linger once for more work before giving the thread back.
                if lingered || generation.load(ordering: .acquiring) != myGeneration { break }
                lingered = true
                let deadline = MonotonicTime.nowNs() &+ Self.lingerNs
                while enqueued.load(ordering: .acquiring) == seen, MonotonicTime.nowNs() < deadline {}
                continue
            }
            lingered = false
            while let job = batch.popFirst() {
                runningSinceNs.store(MonotonicTime.coarseNs() | 1, ordering: .relaxed)
                jobSerial.add(1, ordering: .relaxed)
                switch job {
                case .deliver(let subscription, let message):
                    queuedBytes.subtract(message.byteCount, ordering: .relaxed)
                    subscription.deliver(message)
                case .work(let work): work()
                }
                runningSinceNs.store(0, ordering: .relaxed)
                ran += 1
                if generation.load(ordering: .acquiring) != myGeneration {
                    // We were abandoned while that job ran; hand back what is left of our batch.
                    let leftovers = batch
                    let (restart, thread): (UInt64?, DispatchQueue) = state.withLock { s in
                        var rest = leftovers
                        while let job = rest.popFirst() { s.queue.append(job) }
                        if s.scheduled || s.queue.isEmpty { return (nil, s.thread) }
                        s.scheduled = true
                        return (s.generation, s.thread)
                    }
                    if let restart { thread.async { self.drain(restart) } }
                    return
                }
            }
            // Go back to the queue now and then, so other work queued on it (none today) gets a turn.
            if ran >= 65_536 {
                let (again, thread): (UInt64?, DispatchQueue) = state.withLock { s in
                    guard s.generation == myGeneration else { return (nil, s.thread) }
                    if s.queue.isEmpty { s.scheduled = false; return (nil, s.thread) }
                    return (s.generation, s.thread)
                }
                threadMarker.store(0, ordering: .releasing)
                if let again { thread.async { self.drain(again) } }
                return
            }
        }
        threadMarker.store(0, ordering: .releasing)
    }
}

@inline(__always)
package func currentThreadID() -> UInt {
    UInt(pthread_self())
}

/// A growable FIFO ring buffer (amortised O(1) append and pop).
package struct RingBuffer<Element> {
    package init() {}

    private var storage: [Element?] = []
    private var head = 0
    package private(set) var count = 0

    package var isEmpty: Bool { count == 0 }

    package mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        var index = head + count
        if index >= storage.count { index -= storage.count }
        storage[index] = element
        count += 1
    }

    package mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head += 1
        if head == storage.count { head = 0 }
        count -= 1
        return element
    }

    private mutating func grow() {
        let newCapacity = max(16, storage.count * 2)
        var grown: [Element?] = Array(repeating: nil, count: newCapacity)
        for i in 0..<count { grown[i] = storage[(head + i) % storage.count] }
        storage = grown
        head = 0
    }
}

extension RingBuffer: Sendable where Element: Sendable {}
