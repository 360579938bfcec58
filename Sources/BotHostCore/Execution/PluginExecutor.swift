import Foundation
import Synchronization

/// One unit of work for a plugin's executor.
///
/// Bus deliveries are the hot path, so they are a dedicated case that needs no closure allocation
/// (made only by `PluginExecutor.deliver`); everything else is a closure.
package enum ExecutorJob: Sendable {
    case deliver(Delivery)
    case work(@Sendable () -> Void)
}

/// A bus message queued for one subscriber: where its record is in the queue's `MessageArena`.
/// Nothing in it is reference counted: the queue keeps the target alive (`Pending.retained`), so a
/// flood of messages costs no reference count shared by the publishing and the delivering thread.
package struct Delivery: @unchecked Sendable {  // the target is kept alive beside it
    fileprivate let target: Unmanaged<BusTarget>
    fileprivate let record: Int
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
/// a new one. A worker that runs out of work is told of new work once (woken, or its watch ended):
/// enqueues behind that one only append.
///
/// Droppable work (bus deliveries) is bounded by `capacity` jobs and by `capacityBytes` of queued
/// messages (topic and payload bytes): a plugin that stalls while large events arrive cannot make
/// the host hold more than that for it. A delivery's bytes count from its enqueue until it has
/// started: the worker hands them back in groups of `releaseEvery` (and before any other job and
/// at the end of a batch), so a publisher that is checking the bound reads a counter that changes
/// rarely. Control work (lifecycle, replies, frees) is never refused, so exactly-once guarantees
/// survive a flood.
///
/// A job that never returns wedges the executor; `abandonRunningJob()` gives up on it and lets the
/// remaining work run on a new thread (used when a cleanup hook overruns its deadline).
///
/// Layout: what publishers write (the lock and its state), what the running worker writes per job
/// (the watchdog's counters) and what it writes now and then for publishers to read (the released
/// bytes) are kept on separate cache lines (stored properties are laid out in declaration order),
/// so that neither side's writes take the other's lines away per job.
package final class PluginExecutor: @unchecked Sendable {
    /// The thread that runs one generation's jobs, and how it is woken.
    private final class Worker: @unchecked Sendable {  // a constant and a semaphore
        let generation: UInt64
        let wakeUp = DispatchSemaphore(value: 0)
        init(generation: UInt64) { self.generation = generation }
    }

    /// Queued work and what its deliveries point at, taken by the worker as a whole.
    private struct Pending {
        var jobs = RingBuffer<ExecutorJob>()
        var arena = MessageArena()
        /// The targets the deliveries point at, each once per run of deliveries to it
        /// (`lastRetained`).
        var retained: [BusTarget] = []
        var lastRetained: ObjectIdentifier?
        /// The large payloads that records point at instead of holding.
        var sharedPayloads: [ArraySlice<UInt8>] = []

        /// Empty, keeping its storage for the next batch.
        mutating func removeAll() {
            arena.removeAll()
            retained.removeAll(keepingCapacity: true)
            lastRetained = nil
            sharedPayloads.removeAll(keepingCapacity: true)
        }

        /// Queues a batch's unfinished jobs again, behind what is queued.
        mutating func append(contentsOf rest: inout Pending) {
            while let job = rest.jobs.popFirst() {
                if case .deliver(let delivery) = job {
                    let record = arena.append(rest.arena.message(at: delivery.record), payloadIsShared: false)
                    jobs.append(.deliver(Delivery(target: delivery.target, record: record)))
                } else {
                    jobs.append(job)
                }
            }
            retained.append(contentsOf: rest.retained)
            lastRetained = nil
            rest.removeAll()
        }
    }

    private struct State {
        var pending = Pending()
        /// Work is queued and a worker will look at it (running, starting or woken).
        var scheduled = false
        var generation: UInt64 = 0
        var droppableCount = 0
        /// Bytes of every delivery ever queued (wrapping); minus `releasedBytes`, what is held.
        var enqueuedBytes = 0
        /// The most message bytes ever held at once (diagnostics and tests).
        var peakQueuedBytes = 0
        var enqueuedJobs: UInt64 = 0
        /// The current generation's worker, while its thread lives. An abandoned one is forgotten:
        /// the stuck job keeps its thread.
        var worker: Worker?
        /// The worker sleeps on its semaphore: whoever queues work next signals it.
        var parked = false
        /// The worker, out of work, watches `bell` for a while: whoever queues work next rings it.
        var watching = false
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
    private let beforePublishers = CacheLinePadding()

    // Written by publishers.
    private let state: Mutex<State>
    /// Rung by the first enqueue behind a watching worker (the only write it sees).
    private let bell = Atomic<UInt64>(0)
    package let droppedCount = Atomic<UInt64>(0)
    private let beforeWorker = CacheLinePadding()

    // Written by the running worker per job.
    /// Coarse monotonic start of the running job (odd), 0 when idle; read by the watchdog.
    package let runningSinceNs = Atomic<UInt64>(0)
    /// Counts the jobs that started, to tell one long job from several short ones.
    package let jobSerial = Atomic<UInt64>(0)
    /// Changed only by `abandonRunningJob`; read after every job.
    private let generation = Atomic<UInt64>(0)
    private let threadMarker = Atomic<UInt>(0)
    private let beforeReleased = CacheLinePadding()

    // Written by the running worker every `releaseEvery` deliveries, read by every droppable enqueue.
    /// Bytes of the deliveries that have started (wrapping; see `State.enqueuedBytes`).
    private let releasedBytes = Atomic<Int>(0)
    private let afterReleased = CacheLinePadding()

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
    /// Deliveries whose bytes the worker hands back at once.
    private static let releaseEvery = 32
    /// After a batch this small, the worker waits `gatherNs` before taking the next, so that a
    /// stream of jobs arrives in batches rather than one by one: taking each job as it comes makes
    /// the publisher and the worker trade the queue's cache lines once per job, which on two idle
    /// cores cost more than the job.
    private static let gatherBelow = 64
    private static let gatherNs: UInt64 = 2_000

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
            if droppable && !admitLocked(&s, bytes: 0) { return nil }
            return appendLocked(&s, job)
        }
        return finishEnqueue(wake)
    }

    /// Queues a copy of a bus message for `target` (whose executor this is). With
    /// `sharedPayload` (the message's payload, large), the queue keeps that buffer instead of
    /// copying it. Returns false (and counts it) when droppable and the queue is full, in jobs or
    /// in bytes.
    @discardableResult
    package func deliver(_ message: BusMessage, sharing sharedPayload: ArraySlice<UInt8>?, to target: BusTarget, droppable: Bool) -> Bool {
        let size = message.byteCount
        let wake: Wake? = state.withLock { s in
            if droppable && !admitLocked(&s, bytes: size) { return nil }
            let id = ObjectIdentifier(target)
            if s.pending.lastRetained != id {
                s.pending.retained.append(target)
                s.pending.lastRetained = id
            }
            if let sharedPayload { s.pending.sharedPayloads.append(sharedPayload) }
            let record = s.pending.arena.append(message, payloadIsShared: sharedPayload != nil)
            s.enqueuedBytes &+= size
            return appendLocked(&s, .deliver(Delivery(target: Unmanaged.passUnretained(target), record: record)))
        }
        return finishEnqueue(wake)
    }

    /// With the lock held: whether droppable work of `bytes` fits; counts it if so.
    private func admitLocked(_ s: inout State, bytes size: Int) -> Bool {
        if s.droppableCount >= capacity { return false }
        let held = s.enqueuedBytes &- releasedBytes.load(ordering: .relaxed)
        // An empty queue takes any one message, so the byte bound never blocks a plugin for good.
        if held > 0 && size > capacityBytes - held { return false }
        s.peakQueuedBytes = max(s.peakQueuedBytes, held + size)
        s.droppableCount += 1
        return true
    }

    private func appendLocked(_ s: inout State, _ job: ExecutorJob) -> Wake {
        s.pending.jobs.append(job)
        s.enqueuedJobs &+= 1
        return wakeLocked(&s)
    }

    private func finishEnqueue(_ wake: Wake?) -> Bool {
        guard let wake else {
            droppedCount.add(1, ordering: .relaxed)
            return false
        }
        perform(wake)
        return true
    }

    /// With the lock held, after work was queued: makes sure a worker will look at the queue.
    private func wakeLocked(_ s: inout State) -> Wake {
        if s.watching {
            s.watching = false
            bell.add(1, ordering: .releasing)
        }
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
        return .none  // watching: the bell ends its watch
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
        let (queued, scheduled, generation, held, peak) = state.withLock {
            ($0.pending.jobs.count, $0.scheduled, $0.generation, $0.enqueuedBytes &- releasedBytes.load(ordering: .acquiring), $0.peakQueuedBytes)
        }
        let since = runningSinceNs.load(ordering: .relaxed)
        let now = MonotonicTime.coarseNs()
        return Snapshot(queued: queued, scheduled: scheduled, generation: generation,
                        runningForMs: since == 0 ? nil : (now > since ? (now - since) / 1_000_000 : 0),
                        jobsStarted: jobSerial.load(ordering: .relaxed), dropped: droppedCount.load(ordering: .relaxed),
                        queuedBytes: held, peakQueuedBytes: peak)
    }

    /// Jobs enqueued so far (a stopping plugin is drained until a barrier finds nothing new).
    package var enqueuedCount: UInt64 { state.withLock { $0.enqueuedJobs } }

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
            s.watching = false
            s.scheduled = false
            if s.pending.jobs.isEmpty { return (.none, old) }
            return (wakeLocked(&s), old)
        }
        old?.wakeUp.signal()
        perform(wake)
    }

    /// A worker's life: run batches until its generation is abandoned or it has slept long enough.
    private func run(_ worker: Worker) {
        let me = currentThreadID()
        threadMarker.store(me, ordering: .releasing)
        defer { _ = threadMarker.compareExchange(expected: me, desired: 0, ordering: .acquiringAndReleasing) }
        var batch = Pending()
        var taken = 0
        var lingered = false
        var lingerMisses = 0
        var lingerSkips: UInt = 0
        while true {
            enum Next { case runBatch, linger(bell: UInt64), sleep, end }
            let next: Next = state.withLock { s in
                guard s.generation == worker.generation else { return .end }
                if !s.pending.jobs.isEmpty {
                    swap(&batch, &s.pending)
                    taken = batch.jobs.count
                    s.droppableCount = 0
                    s.watching = false
                    s.scheduled = true
                    return .runBatch
                }
                s.scheduled = false
                if !lingered {
                    // Empty: watch for more work a moment before sleeping, unless watching keeps failing.
                    lingered = true
                    var watch = lingerMisses < Self.lingerMissesBeforeSkipping
                    if !watch {
                        lingerSkips &+= 1
                        watch = lingerSkips % Self.lingerProbeEvery == 0
                    }
                    if watch {
                        s.watching = true
                        return .linger(bell: bell.load(ordering: .relaxed))
                    }
                }
                s.watching = false
                s.parked = true
                return .sleep
            }
            switch next {
            case .end:
                return
            case .linger(let rung):
                let deadline = MonotonicTime.nowNs() &+ Self.lingerNs
                while bell.load(ordering: .acquiring) == rung, MonotonicTime.nowNs() < deadline {}
                lingerMisses = bell.load(ordering: .acquiring) == rung ? lingerMisses + 1 : 0
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
                if taken < Self.gatherBelow {
                    // Touches nothing the publishers write: only the clock.
                    let until = MonotonicTime.nowNs() &+ Self.gatherNs
                    while MonotonicTime.nowNs() < until {}
                }
            }
        }
    }

    /// Runs the jobs of a batch in order, then empties it for reuse. False when the generation was
    /// abandoned while a job ran: the rest of the batch is then queued again and this worker ends.
    private func runBatch(_ batch: inout Pending, _ worker: Worker) -> Bool {
        var started = 0, startedBytes = 0  // deliveries started whose bytes are not yet handed back
        func release() {
            if started == 0 { return }
            releasedBytes.add(startedBytes, ordering: .releasing)
            started = 0
            startedBytes = 0
        }
        while let job = batch.jobs.popFirst() {
            runningSinceNs.store(MonotonicTime.coarseNs() | 1, ordering: .relaxed)
            jobSerial.add(1, ordering: .relaxed)
            switch job {
            case .deliver(let delivery):
                let message = batch.arena.message(at: delivery.record)
                started += 1
                startedBytes += message.byteCount
                if started == Self.releaseEvery { release() }
                delivery.target._withUnsafeGuaranteedRef { $0.subscription.deliver(message) }
            case .work(let work):
                // Other work sees the byte count exact (a test's barrier, a state dump).
                release()
                work()
            }
            runningSinceNs.store(0, ordering: .relaxed)
            if generation.load(ordering: .acquiring) != worker.generation {
                release()
                // We were abandoned while that job ran; hand back what is left of our batch.
                let wake: Wake = state.withLock { s in
                    s.pending.append(contentsOf: &batch)
                    return s.pending.jobs.isEmpty ? .none : wakeLocked(&s)
                }
                perform(wake)
                return false
            }
        }
        release()
        batch.removeAll()
        return true
    }
}

/// 128 bytes (two cache lines, which Intel's prefetcher fetches in pairs) that keep the stored
/// properties before it off the cache lines of those after it.
private struct CacheLinePadding {
    private let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
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
