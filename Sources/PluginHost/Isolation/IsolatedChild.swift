import BotHostCore
import Foundation
import PluginAPI
import Synchronization

/// The plugin side of isolation: the runtime of `bothost plugin-host`, the child process an
/// isolated plugin runs in. It loads the one library, hands it a host API table whose calls cross
/// the socket to the host (`IsolatedChildAPI`), and runs what the host sends — callbacks, frees,
/// lifecycle steps — one at a time, in order, on one executor thread.
///
/// Threading: the reader thread (the process's main thread) only reads and queues; callbacks run
/// on the executor thread; the plugin may call the table from any thread (calls wait for their
/// answer, which the reader hands over).
package final class IsolatedChild: @unchecked Sendable {
    /// The one instance of this process (the C table's functions have no context pointer).
    package nonisolated(unsafe) static var current: IsolatedChild?

    let channel: IsolationChannel
    let executor = ChildExecutor()
    /// What the plugin gets as its `bothost_plugin *`: any stable, non-NULL address.
    let selfPointer = OpaquePointer(UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16))
    private(set) var descriptor: PluginDescriptor?
    /// The plugin's state from init; touched only on the executor.
    var pluginState: UnsafeMutableRawPointer?

    /// A registration as the child knows it: the plugin's function and user_data behind a token
    /// the host echoes back with each callback.
    struct Entry: @unchecked Sendable {
        let function: UnsafeRawPointer?
        let userData: UnsafeMutableRawPointer?
        let free: bothost_free_fn?
        var handle: UInt64 = 0
        /// Cleared when the plugin unregisters: callbacks already on their way are skipped.
        var active = true
        /// A call that ends with one callback (a request, an HTTP or Discord call, an answer to an
        /// interaction, a voice join or leave): unregistering it is answered by that callback
        /// (BOTHOST_E_CANCELLED), which must still arrive.
        var oneShot = false
    }

    /// Set when the host starts stopping the plugin: callbacks still queued are skipped, as the
    /// host skips them once a plugin is stopping; lifecycle steps and frees still run.
    private let stopping = Atomic<Bool>(false)
    private struct Tokens {
        var next: UInt64 = 1
        var entries: [UInt64: Entry] = [:]
        var byHandle: [UInt64: UInt64] = [:]
    }
    private let tokens = Mutex(Tokens())

    private final class Waiter: @unchecked Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        var answer: [UInt8]? = nil
    }
    private struct Calls {
        var next: UInt32 = 1
        var waiting: [UInt32: Waiter] = [:]
        var closed = false
    }
    private let calls = Mutex(Calls())

    init(channel: IsolationChannel) { self.channel = channel }

    // MARK: running

    /// Serves the host until it closes the socket; returns the process's exit status.
    package static func serve(fd: Int32) -> Int32 {
        let child = IsolatedChild(channel: IsolationChannel(fd: fd))
        current = child
        child.executor.start()
        let failure = child.channel.run { kind, body throws(WireError) in try child.handle(kind, body) }
        child.failPendingCalls()
        if let failure {
            FileHandle.standardError.write(Data("bothost plugin-host: the host sent a malformed frame: \(failure)\n".utf8))
            return 2
        }
        return 0
    }

    private func handle(_ rawKind: UInt8, _ body: UnsafeRawBufferPointer) throws(WireError) {
        var reader = WireReader(body)
        switch WireKind(rawValue: rawKind) {
        case .load:
            load(path: try reader.string())
        case .callback:
            let seq = try reader.u64(), token = try reader.u64(), kind = try reader.callback()
            let call = try ChildCallback.decode(kind, &reader)
            executor.enqueue(seq: seq) { [self] in run(call, token: token) }
        case .free:
            let seq = try reader.u64(), token = try reader.u64()
            executor.enqueue(seq: seq) { [self] in
                let entry = tokens.withLock { t -> Entry? in
                    guard let entry = t.entries.removeValue(forKey: token) else { return nil }
                    if entry.handle != 0 { t.byHandle[entry.handle] = nil }
                    return entry
                }
                entry?.free?(entry?.userData)
                return nil
            }
        case .abandon:
            executor.abandonRunningJob()
        case .stopping:
            stopping.store(true, ordering: .releasing)
        case .answer:
            let id = try reader.u32()
            let waiter = calls.withLock { $0.waiting.removeValue(forKey: id) }
            guard let waiter else { throw WireError("an answer to call \(id), which is not waiting") }
            waiter.answer = Array(UnsafeRawBufferPointer(rebasing: body[4...]))
            waiter.semaphore.signal()
        default:
            throw WireError("unexpected frame kind \(rawKind)")
        }
    }

    private func load(path: String) {
        let result = PluginLoader.load(path: path, api: IsolatedChildAPI.table).map(\.descriptor)
        switch result {
        case .success(let descriptor):
            self.descriptor = descriptor
            var frame = WireWriter(.loaded)
            frame.string(descriptor.name)
            frame.string(descriptor.version)
            frame.string(descriptor.description)
            frame.u32(descriptor.abiMajor)
            frame.u32(descriptor.abiMinor)
            frame.u64(descriptor.gatewayIntents)
            frame.u32(UInt32(descriptor.ownedNames.count))
            for name in descriptor.ownedNames { frame.string(name) }
            frame.u8((descriptor.initFn != nil ? 1 : 0) | (descriptor.startFn != nil ? 2 : 0)
                     | (descriptor.stopFn != nil ? 4 : 0) | (descriptor.configChangedFn != nil ? 8 : 0))
            channel.send(frame.finish())
        case .failure(let refusal):
            var frame = WireWriter(.refused)
            frame.string(refusal.kind.rawValue)
            frame.string(refusal.cause)
            frame.string(refusal.fix)
            channel.send(frame.finish())
        }
    }

    /// The child's decoder of the host's callbacks, for the fuzz target.
    package static func fuzzCallback(_ body: [UInt8]) { ChildCallback.fuzz(body) }

    // MARK: callbacks

    /// Runs one callback on the executor; lifecycle steps return their status and reason.
    private func run(_ call: ChildCallback, token: UInt64) -> (Int32, String)? {
        if case .lifecycle(let step) = call { return runLifecycle(step) }
        guard !stopping.load(ordering: .acquiring) else { return nil }
        guard let entry = tokens.withLock({ $0.entries[token] }), entry.active, let function = entry.function else { return nil }
        call.invoke(function, entry.userData, selfPointer: selfPointer)
        return nil
    }

    private func runLifecycle(_ step: ChildCallback.Lifecycle) -> (Int32, String)? {
        guard let descriptor else { return (Status.internalError, "no library is loaded") }
        var reason = bothost_str(ptr: nil, len: 0)
        func text(_ reason: bothost_str) -> String { String(decoding: reason.bytes.prefix(4096), as: UTF8.self) }
        switch step {
        case .initialize:
            guard let initFn = descriptor.initFn else { return (Status.ok, "") }
            var state: UnsafeMutableRawPointer? = nil
            let status = initFn(selfPointer, &state, &reason)
            pluginState = state
            return (status, text(reason))
        case .start:
            guard let startFn = descriptor.startFn else { return (Status.ok, "") }
            let status = startFn(selfPointer, pluginState, &reason)
            return (status, text(reason))
        case .stop:
            descriptor.stopFn?(selfPointer, pluginState)
            return (Status.ok, "")
        case .barrier:
            return (Status.ok, "")
        case .configChanged(let json):
            guard let changed = descriptor.configChangedFn else { return (Status.unsupported, "") }
            let status = json.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    changed(selfPointer, pluginState, bothost_str(ptr: chars.baseAddress, len: chars.count))
                }
            }
            return (status, "")
        case .cleanup(let token):
            // A cleanup hook runs once, then its user_data is freed by the same step.
            let entry = tokens.withLock { t -> Entry? in
                guard let entry = t.entries.removeValue(forKey: token) else { return nil }
                if entry.handle != 0 { t.byHandle[entry.handle] = nil }
                return entry
            }
            if let entry, let function = entry.function {
                unsafeBitCast(function, to: bothost_cleanup_fn.self)(entry.userData)
            }
            entry?.free?(entry?.userData)
            return (Status.ok, "")
        }
    }

    // MARK: calls to the host

    /// Sends a call and waits for its answer: the status (with `last_error` set on failure) and a
    /// reader over the results. A host that is gone answers BOTHOST_E_STOPPED.
    func call(_ op: WireOp, _ arguments: (inout WireWriter) -> Void) -> (status: bothost_status, results: [UInt8]) {
        let waiter = Waiter()
        let id = calls.withLock { c -> UInt32? in
            guard !c.closed else { return nil }
            let id = c.next
            c.next = c.next == UInt32.max ? 1 : c.next + 1
            c.waiting[id] = waiter
            return id
        }
        guard let id else {
            LastError.set("the host has closed this plugin's channel")
            return (Status.stopped, [])
        }
        var frame = WireWriter(.call)
        frame.u32(id)
        frame.u8(op.rawValue)
        arguments(&frame)
        if !channel.send(frame.finish()) {
            _ = calls.withLock { $0.waiting.removeValue(forKey: id) }
            LastError.set("the host has closed this plugin's channel")
            return (Status.stopped, [])
        }
        waiter.semaphore.wait()
        guard let answer = waiter.answer else {
            LastError.set("the host has closed this plugin's channel")
            return (Status.stopped, [])
        }
        // answer: status, last_error, results
        return answer.withUnsafeBytes { raw -> (bothost_status, [UInt8]) in
            var reader = WireReader(raw)
            guard let status = try? reader.i32(), let detail = try? reader.string() else {
                LastError.set("the host sent a malformed answer")
                return (Status.internalError, [])
            }
            if status != Status.ok { LastError.set(detail) } else { LastError.clear() }
            return (status, Array(reader.rest()))
        }
    }

    /// A call that expects nothing back (log lines): sent and forgotten, in order with the others.
    func notify(_ op: WireOp, _ arguments: (inout WireWriter) -> Void) {
        var frame = WireWriter(.call)
        frame.u32(0)
        frame.u8(op.rawValue)
        arguments(&frame)
        channel.send(frame.finish())
    }

    private func failPendingCalls() {
        let waiting = calls.withLock { c -> [Waiter] in
            c.closed = true
            defer { c.waiting.removeAll() }
            return Array(c.waiting.values)
        }
        for waiter in waiting { waiter.semaphore.signal() }
    }

    // MARK: registrations

    /// A registering call: the plugin's function and user_data stay here behind a token; the host
    /// registers its own trampoline under the token. Whatever happens, the host frees the token
    /// exactly once (a `free` frame), and that frees the plugin's user_data on the executor.
    func register(_ op: WireOp, function: UnsafeRawPointer?, userData: UnsafeMutableRawPointer?, free: bothost_free_fn?,
                  out: UnsafeMutablePointer<bothost_handle>?, _ arguments: (inout WireWriter) -> Void) -> bothost_status {
        let oneShot = Self.oneShotCalls.contains(op)
        let token = tokens.withLock { t -> UInt64 in
            let token = t.next
            t.next += 1
            t.entries[token] = Entry(function: function, userData: userData, free: free, oneShot: oneShot)
            return token
        }
        let (status, results) = call(op) { frame in
            frame.u64(token)
            frame.u8(function == nil ? 0 : 1)
            arguments(&frame)
        }
        guard status == Status.ok else { return status }
        let handle = results.withUnsafeBytes { raw -> UInt64 in
            var reader = WireReader(raw)
            return (try? reader.u64()) ?? 0
        }
        if handle != 0 {
            tokens.withLock { t in
                guard t.entries[token] != nil else { return }  // already ended and freed
                t.entries[token]?.handle = handle
                t.byHandle[handle] = token
            }
        }
        out?.pointee = handle
        return status
    }

    private static let oneShotCalls: Set<WireOp> = [.busRequest, .httpRequest, .discordRequest, .interactionReply, .interactionDefer,
                                                     .interactionFollowup, .interactionEdit, .interactionRespond, .voiceJoin, .voiceLeave]

    /// The plugin ended a registration: callbacks the host already sent for it are skipped (but a
    /// one-shot call's last callback, which tells it the call was cancelled, still arrives).
    func deactivate(handle: UInt64) {
        tokens.withLock { t in
            if let token = t.byHandle[handle], t.entries[token]?.oneShot == false { t.entries[token]?.active = false }
        }
    }
}

/// The child's serial executor: one thread running queued jobs in order. It tells the host how far
/// it got when the queue runs dry, and at least every few milliseconds while it stays busy (so the
/// host measures each callback, not a whole busy stretch, and its send window keeps moving) — one
/// `done` frame for many callbacks rather than one each.
final class ChildExecutor: @unchecked Sendable {
    typealias Job = (seq: UInt64, run: () -> (Int32, String)?)
    private let condition = NSCondition()
    private var jobs: [Job] = []  // guarded by condition
    private var head = 0          // guarded by condition: the next job in `jobs`
    /// Bumped when the running job is abandoned: the thread running it stops taking jobs.
    private var generation = 0    // guarded by condition

    func start() {
        condition.lock()
        let generation = self.generation
        condition.unlock()
        let thread = Thread { [self] in loop(generation) }
        thread.name = "plugin"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a job; `seq` 0 is a job of the plugin's own (post) that the host does not count.
    func enqueue(seq: UInt64, _ run: @escaping () -> (Int32, String)?) {
        condition.lock()
        jobs.append((seq, run))
        condition.signal()
        condition.unlock()
    }

    /// Leaves the running job to its thread and goes on with the queue on a new one.
    func abandonRunningJob() {
        condition.lock()
        generation += 1
        // A thread asleep on the queue must wake to end, and not take the next job's wake-up.
        condition.broadcast()
        condition.unlock()
        start()
    }

    /// How often a busy executor reports progress.
    private static let reportIntervalNs: UInt64 = 5_000_000

    private func loop(_ mine: Int) {
        var lastSeq: UInt64 = 0
        var reportedNs = MonotonicTime.coarseNs()
        while true {
            condition.lock()
            while head == jobs.count && generation == mine {
                if lastSeq != 0 {
                    // Idle: report progress before sleeping.
                    condition.unlock()
                    sendDone(lastSeq, Status.ok, "")
                    lastSeq = 0
                    condition.lock()
                    continue
                }
                condition.wait()
            }
            guard generation == mine else {
                condition.unlock()
                if lastSeq != 0 { sendDone(lastSeq, Status.ok, "") }
                return
            }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            let outcome = job.run()
            if job.seq != 0 { lastSeq = job.seq }
            if let (status, reason) = outcome {
                // A lifecycle step: the host waits for this one.
                sendDone(job.seq, status, reason)
                lastSeq = 0
            } else if lastSeq != 0 {
                let now = MonotonicTime.coarseNs()
                if now &- reportedNs >= Self.reportIntervalNs {
                    sendDone(lastSeq, Status.ok, "")
                    lastSeq = 0
                    reportedNs = now
                }
            }
        }
    }

    private func sendDone(_ seq: UInt64, _ status: Int32, _ reason: String) {
        var frame = WireWriter(.done)
        frame.u64(seq)
        frame.i32(status)
        frame.string(reason)
        IsolatedChild.current?.channel.send(frame.finish())
    }
}
