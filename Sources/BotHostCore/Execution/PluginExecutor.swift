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
/// Jobs run on the executor's own thread, never on the shared global pool: plugin code may block
/// (a sleep, a synchronous read, a hung cleanup hook), and on Linux the global pool replaces a
/// blocked thread only about once a second — so one blocking plugin used to stall every other
/// plugin's callbacks. The thread sleeps when it runs out of work (after watching for more for
/// `lingerNs`, which a stream of jobs keeps it from ever sleeping) and the enqueue that finds it
/// asleep wakes it directly: no dispatch queue between a publish and the callback, and an idle
/// plugin costs no CPU. After `idleExitSeconds` without work the thread ends; the next job starts
/// a new one.
///
/// Droppable work (bus deliveries) is bounded by `capacity` jobs and by `capacityBytes` of queued
/// messages (topic and payload bytes): a plugin that stalls while large events arrive cannot make
/// the host hold more than that for it. Control work (lifecycle, replies, frees) is never refused,
/// so exactly-once guarantees survive a flood.
///
/// A job that never returns wedges the executor; `abandonRunningJob()` gives up on it and lets the
/// remaining work run on a new thread (used when a cleanup hook overruns its deadline).
package final class PluginExecutor: @unchecked Sendable {
    /// The thread that runs one generation's jobs, and how it is woken.
    private final class Worker: @unchecked Sendable {  // a constant and a semaphore
        let generation: UInt64
        let wakeUp = DispatchSemaphore(value: 0)
        init(generation: UInt64) { self.generation = generation }
    }

    private struct State {
        var queue = RingBuffer<ExecutorJob>()
        /// Work is queued and a worker will look at it (running, starting or woken).
        var scheduled = false
        var generation: UInt64 = 0
        var droppableCount = 0
        /// The most message bytes ever held at once (diagnostics and tests).
        var peakQueuedBytes = 0
        /// The current generation's worker, while its thread lives. An abandoned one is forgotten:
        /// the stuck job keeps its thread.
        var worker: Worker?
        /// The worker sleeps on its semaphore: whoever queues work next signals it.
        var parked = false
    }

    /// What must happen, outside the lock, so that queued work is run.
    private enum Wake {
        case none
        case signal(Worker)
        case start(Worker)
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
    /// Bumped by every enqueue, read without the lock by a worker watching for more work.
    private let enqueued = Atomic<UInt64>(0)
    /// How long a worker that ran out of jobs watches for another before it sleeps: jobs queued
    /// back to back (a publish loop, a batch of frames) then cost no wake-up each, while a gap
    /// longer than this costs one wake-up and no more spinning than this. A worker whose recent
    /// watches all came to nothing sleeps at once (trying again every `lingerProbeEvery`th time):
    /// its jobs come further apart than the watch lasts, which would only burn the time.
    package static let lingerNs: UInt64 = 3_000
    private static let lingerMissesBeforeSkipping = 4
    private static let lingerProbeEvery: UInt = 16
    /// How long a sleeping worker keeps its thread.
    package static let idleExitSeconds = 5

    package init(label: String, capacity: Int, capacityBytes: Int = .max) {
        self.label = label
        self.capacity = max(16, capacity)
        self.capacityBytes = capacityBytes
        state = Mutex(State())
    }

    /// Enqueues a job. Returns false (and counts it) only when droppable work finds the queue full.
    @discardableResult
    package func enqueue(_ job: ExecutorJob, droppable: Bool = false) -> Bool {
        let wake: Wake? = state.withLock { s in
            if droppable {
                if s.droppableCount >= capacity { return nil }
                if case .deliver(_, let message) = job {
                    // An empty queue takes any one message, so the byte bound never blocks a plugin for good.
                    let held = queuedBytes.load(ordering: .relaxed), size = message.byteCount
                    if held > 0 && size > capacityBytes - held { return nil }
                    queuedBytes.add(size, ordering: .relaxed)
                    s.peakQueuedBytes = max(s.peakQueuedBytes, held + size)
                }
                s.droppableCount += 1
            }
            s.queue.append(job)
            enqueued.add(1, ordering: .releasing)
            return Self.wakeLocked(&s)
        }
        guard let wake else {
            droppedCount.add(1, ordering: .relaxed)
            return false
        }
        perform(wake)
        return true
    }

    /// With the lock held, after work was queued: makes sure a worker will look at the queue.
    private static func wakeLocked(_ s: inout State) -> Wake {
        if s.scheduled { return .none }
        s.scheduled = true
        guard let worker = s.worker else {
            let worker = Worker(generation: s.generation)
            s.worker = worker
            return .start(worker)
        }
        if s.parked {
            s.parked = false
            return .signal(worker)
        }
        return .none  // lingering: it looks at the queue again before it sleeps
    }

    private func perform(_ wake: Wake) {
        switch wake {
        case .none: break
        case .signal(let worker): worker.wakeUp.signal()
        case .start(let worker):
            let thread = Thread { [self] in run(worker) }
            thread.name = "bothost.\(label)"
            thread.start()
        }
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
        let (wake, old): (Wake, Worker?) = state.withLock { s in
            s.generation += 1
            generation.store(s.generation, ordering: .releasing)
            // The stuck job holds the current worker's thread: everything from now on runs on a new one.
            // (A sleeping worker, should the job have returned after all, is woken to end.)
            let old = s.parked ? s.worker : nil
            s.worker = nil
            s.parked = false
            s.scheduled = false
            if s.queue.isEmpty { return (.none, old) }
            return (Self.wakeLocked(&s), old)
        }
        old?.wakeUp.signal()
        perform(wake)
    }

    /// A worker's life: run batches until its generation is abandoned or it has slept long enough.
    private func run(_ worker: Worker) {
        let me = currentThreadID()
        threadMarker.store(me, ordering: .releasing)
        defer { _ = threadMarker.compareExchange(expected: me, desired: 0, ordering: .acquiringAndReleasing) }
        var batch = RingBuffer<ExecutorJob>()
        var lingered = false
        var lingerMisses = 0
        var lingerSkips: UInt = 0
        while true {
            let seen = enqueued.load(ordering: .acquiring)
            enum Next { case runBatch, linger, sleep, end }
            let next: Next = state.withLock { s in
                guard s.generation == worker.generation else { return .end }
                if !s.queue.isEmpty {
                    swap(&batch, &s.queue)
                    s.droppableCount = 0
                    s.scheduled = true
                    return .runBatch
                }
                s.scheduled = false
                if !lingered { return .linger }
                s.parked = true
                return .sleep
            }
            switch next {
            case .end:
                return
            case .linger:
                // Empty: watch for more work a moment before sleeping, unless watching keeps failing.
                lingered = true
                if lingerMisses >= Self.lingerMissesBeforeSkipping {
                    lingerSkips &+= 1
                    if lingerSkips % Self.lingerProbeEvery != 0 { continue }
                }
                let deadline = MonotonicTime.nowNs() &+ Self.lingerNs
                while enqueued.load(ordering: .acquiring) == seen, MonotonicTime.nowNs() < deadline {}
                lingerMisses = enqueued.load(ordering: .relaxed) == seen ? lingerMisses + 1 : 0
                continue
            case .sleep:
                lingered = false
                if worker.wakeUp.wait(timeout: .now() + .seconds(Self.idleExitSeconds)) == .timedOut {
                    let ends = state.withLock { s in
                        guard s.parked, s.worker === worker else { return false }
                        s.parked = false
                        s.worker = nil
                        return true
                    }
                    if ends { return }
                    worker.wakeUp.wait()  // woken just as the wait timed out: take that signal
                }
                continue
            case .runBatch:
                lingered = false
                if !runBatch(&batch, worker) { return }
            }
        }
    }

    /// Runs the jobs of a batch in order. False when the generation was abandoned while a job ran:
    /// the rest of the batch is then queued again and this worker ends.
    private func runBatch(_ batch: inout RingBuffer<ExecutorJob>, _ worker: Worker) -> Bool {
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
            if generation.load(ordering: .acquiring) != worker.generation {
                // We were abandoned while that job ran; hand back what is left of our batch.
                let leftovers = batch
                batch = RingBuffer()
                let wake: Wake = state.withLock { s in
                    var rest = leftovers
                    while let job = rest.popFirst() { s.queue.append(job) }
                    return s.queue.isEmpty ? .none : Self.wakeLocked(&s)
                }
                perform(wake)
                return false
            }
        }
        return true
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
        // Moved out, not copied: no retain and release per element.
        let element = storage[head].take()
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
