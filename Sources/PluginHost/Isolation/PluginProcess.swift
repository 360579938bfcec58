import BotHostCore
import CProcessControl
import Foundation
import Logging
import PluginAPI
import Synchronization

/// The host side of an isolated plugin: its child process (`bothost plugin-host`), the socket to
/// it, and the order in which callbacks cross. To the rest of the host an isolated plugin is an
/// ordinary `PluginInstance` whose descriptor functions and registration callbacks are this
/// type's trampolines: the instance's executor, registrations, limits and stop sequence apply
/// unchanged, and each callback it runs is sent to the child, which runs the plugin's own function
/// in the same order on one thread.
///
/// Threading: callbacks are sent from the instance's executor (in order, at most `window` ahead
/// of the child); the child's calls are answered on this process's reader thread; everything
/// else is safe from any thread.
package final class PluginProcess: @unchecked Sendable {
    package let name: String
    package let pid: pid_t
    package let settings: PluginIsolation
    let channel: IsolationChannel
    let logger: Logger
    /// The instance's `bothost_plugin *`, for the calls the child makes: set once the instance exists.
    let instancePointer = Mutex(UnsafeSendable<OpaquePointer?>(nil))

    /// How many callbacks may be on their way to the child before the executor waits.
    static let window: UInt64 = 4096

    private struct Flow {
        var sent: UInt64 = 0
        var done: UInt64 = 0
        /// The lifecycle steps a thread waits for, and their answers once given. Only these are
        /// kept: a child that reports other numbers (or the same twice) stores nothing.
        var awaited: Set<UInt64> = []
        var answers: [UInt64: (Int32, String)] = [:]
        /// Set once the child is gone: why.
        var exit: String? = nil
        /// The host asked the child to end: its exit is not a crash.
        var ending = false
        var loaded: Result<PluginDescriptor, PluginRefusal>? = nil
        /// The crash handler, stored under the same lock as `exit` so a death is never missed.
        var onCrash: (@Sendable (String) -> Void)? = nil
    }
    /// Why the host killed it, if it did. Not under `flow`: a kill must never wait for a thread
    /// that holds it.
    private let killReason = Mutex<String?>(nil)
    private let flow = NSCondition()
    private var state = Flow()  // guarded by flow

    /// When the oldest callback the child has not finished started (0: idle), for the watchdog.
    package let busySinceNs = Atomic<UInt64>(0)
    /// Advances with every callback the child finishes, so the watchdog reports an overrun once.
    package let finishedCount = Atomic<UInt64>(0)
    /// The child's last lines of output (stdout and stderr), shown when it dies.
    private let outputTail = Mutex<[String]>([])
    private static let tailLines = 20
    /// Reasons the trampolines hand back to the host must stay valid until it copies them.
    let reasons = Mutex<[UnsafeSendable<UnsafeMutablePointer<CChar>>]>([])

    private init(name: String, pid: pid_t, settings: PluginIsolation, channel: IsolationChannel, logger: Logger) {
        self.name = name
        self.pid = pid
        self.settings = settings
        self.channel = channel
        self.logger = logger
    }

    deinit { reasons.withLock { for pointer in $0 { free(pointer.value) } } }

    // MARK: spawning

    /// The `bothost` executable that runs isolated plugins: $BOTHOST_BIN, this executable when it is
    /// `bothost`, or a `bothost` beside it (the tests and the bench run from the build folder).
    package static func executablePath() -> String? {
        if let configured = ProcessInfo.processInfo.environment["BOTHOST_BIN"], !configured.isEmpty { return configured }
        let current = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if current.lastPathComponent == "bothost" { return current.path }
        let sibling = current.deletingLastPathComponent().appendingPathComponent("bothost").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
    }

    /// Starts a child, has it load the library, and returns it with the plugin's descriptor (whose
    /// functions are this process's trampolines), or why it was refused.
    package static func spawn(library path: String, name: String, settings: PluginIsolation, logger: Logger,
                              deadlineMs: Int) async -> Result<(PluginProcess, PluginDescriptor), PluginRefusal> {
        await BlockingWork.run("plugin-spawn.\(name)") {
            spawnNow(library: path, name: name, settings: settings, logger: logger, deadlineMs: deadlineMs)
        }
    }

    private static func spawnNow(library path: String, name: String, settings: PluginIsolation, logger: Logger,
                                 deadlineMs: Int) -> Result<(PluginProcess, PluginDescriptor), PluginRefusal> {
        func refuse(_ cause: String, _ fix: String) -> Result<(PluginProcess, PluginDescriptor), PluginRefusal> {
            .failure(PluginRefusal(kind: .dlopenFailed, file: path, cause: cause, fix: fix))
        }
        guard let executable = executablePath() else {
            return refuse("the bothost executable that runs isolated plugins was not found",
                          "set BOTHOST_BIN to the bothost executable, or install bothost next to this program")
        }
        var sockets: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sockets) == 0 else {
            return refuse("socketpair failed: \(String(cString: strerror(errno)))", "check the host's open file limit")
        }
        var output: [Int32] = [0, 0]
        guard bothost_pipe_cloexec(&output) == 0 else {
            close(sockets[0]); close(sockets[1])
            return refuse("pipe failed: \(String(cString: strerror(errno)))", "check the host's open file limit")
        }
        let arguments = [executable, "plugin-host", "--channel-fd", "3", "--memory-mb", String(settings.memoryMB),
                         "--open-files", String(settings.openFiles), "--name", name]
        // The child gets no environment of the host's (a token there stays there), only what the
        // dynamic loader may need to find the plugin's own libraries.
        // The Swift runtime's crash reporter would turn a plugin's SIGSEGV into seconds of
        // backtracing and a SIGILL: the plugin's own signal is the news.
        var environment: [String] = ["SWIFT_BACKTRACE=enable=no", "\(BOTHOST_ISOLATED_PLUGIN_VARIABLE)=1"]
        if let libraries = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"] { environment.append("LD_LIBRARY_PATH=\(libraries)") }
        let spawned = ChildSpawn.run(executable: executable, arguments: arguments, environment: environment,
                                     channel: sockets[1], output: output[1])
        close(sockets[1])
        close(output[1])
        let pid: pid_t
        switch spawned {
        case .success(let child): pid = child
        case .failure(let error):
            close(sockets[0]); close(output[0])
            return refuse("could not start \(executable): \(error)", "check that the bothost executable exists and can run")
        }
        var childLogger = logger
        childLogger[metadataKey: "plugin"] = .string(name)
        let process = PluginProcess(name: name, pid: pid, settings: settings, channel: IsolationChannel(fd: sockets[0]), logger: childLogger)
        process.readOutput(fd: output[0])
        process.startReader()

        var load = WireWriter(.load)
        load.string(path)
        process.channel.send(load.finish())
        let loaded = process.waitForLoad(deadlineMs: deadlineMs)
        switch loaded {
        case .success(let descriptor):
            return .success((process, process.proxyDescriptor(descriptor)))
        case .failure(let refusal):
            process.endInBackground()
            return .failure(refusal)
        }
    }

    private func waitForLoad(deadlineMs: Int) -> Result<PluginDescriptor, PluginRefusal> {
        let deadline = Date(timeIntervalSinceNow: Double(deadlineMs) / 1000)
        flow.lock()
        defer { flow.unlock() }
        while state.loaded == nil && state.exit == nil {
            if !flow.wait(until: deadline) { break }
        }
        if let loaded = state.loaded { return loaded }
        let cause = state.exit.map { "its process died while loading the library (\($0))" + tailText }
            ?? "its process did not load the library within \(deadlineMs) ms"
        return .failure(PluginRefusal(kind: .dlopenFailed, file: "", cause: cause,
                                      fix: "run `bothost plugins check` on it, or fix the crash in the plugin's entry function"))
    }

    /// The descriptor the host's instance runs: the plugin's facts, with this process's
    /// trampolines for the lifecycle functions the plugin has.
    private func proxyDescriptor(_ d: PluginDescriptor) -> PluginDescriptor {
        PluginDescriptor(name: d.name, version: d.version, description: d.description, abiMajor: d.abiMajor, abiMinor: d.abiMinor,
                         gatewayIntents: d.gatewayIntents, ownedNames: d.ownedNames,
                         initFn: d.initFn == nil ? nil : IsolationTrampolines.initialize,
                         startFn: d.startFn == nil ? nil : IsolationTrampolines.start,
                         stopFn: d.stopFn == nil ? nil : IsolationTrampolines.stop,
                         configChangedFn: d.configChangedFn == nil ? nil : IsolationTrampolines.configChanged)
    }

    /// Hands the process its instance: from now on the child's calls act as that plugin.
    package func attach(_ pointer: OpaquePointer?) { instancePointer.withLock { $0 = UnsafeSendable(pointer) } }

    /// Tells the supervisor when the child dies on its own.
    package func onCrash(_ handler: @escaping @Sendable (String) -> Void) {
        let exited = flow.withLock { () -> String? in
            if state.exit == nil { state.onCrash = handler }
            return state.exit != nil && !state.ending ? state.exit : nil
        }
        if let exited { handler(exited) }
    }

    // MARK: reading

    /// The reader thread (its pthread_t; 0 until it runs), which must never wait for the child: it
    /// reads the child's progress.
    private let readerThread = Atomic<UInt>(0)

    private func startReader() {
        let thread = Thread { [self] in
            readerThread.store(UInt(pthread_self()), ordering: .releasing)
            let failure = channel.run { kind, body throws(WireError) in try handle(kind, body) }
            if let failure {
                logger.error("plugin \(name): its process broke the protocol (\(failure)); killing it")
                Foundation.kill(pid, SIGKILL)
            }
            reap()
        }
        thread.name = "plugin-process.\(name)"
        thread.start()
    }

    private func handle(_ rawKind: UInt8, _ body: UnsafeRawBufferPointer) throws(WireError) {
        var reader = WireReader(body)
        switch WireKind(rawValue: rawKind) {
        case .call:
            let id = try reader.u32()
            let op = try reader.op()
            let answer = try execute(op, &reader)
            guard reader.isAtEnd else { throw WireError("call \(op) has \(body.count) bytes, more than its fields") }
            if id != 0 {
                var frame = WireWriter(.answer, reserve: 32 + answer.results.count)
                frame.u32(id)
                frame.i32(answer.status)
                frame.string(answer.detail)
                frame.append(answer.results)
                channel.send(frame.finish())
            }
        case .done:
            let seq = try reader.u64(), status = try reader.i32()
            let reason = ControlCharacters.escaped(String(decoding: try reader.data().prefix(4096), as: UTF8.self))
            finished(seq, status, reason)
        case .loaded:
            let descriptor = try Self.readDescriptor(&reader)
            flow.withLock { if state.loaded == nil { state.loaded = .success(descriptor) } }
            flow.broadcast()
        case .refused:
            let kind = try reader.string()
            let cause = ControlCharacters.escaped(String(try reader.string().prefix(4096)))
            let fix = ControlCharacters.escaped(String(try reader.string().prefix(4096)))
            let refusal = PluginRefusal(kind: PluginRefusal.Kind(rawValue: kind) ?? .dlopenFailed, file: "", cause: cause, fix: fix)
            flow.withLock { if state.loaded == nil { state.loaded = .failure(refusal) } }
            flow.broadcast()
        default:
            throw WireError("unexpected frame kind \(rawKind)")
        }
    }

    private static func readDescriptor(_ r: inout WireReader) throws(WireError) -> PluginDescriptor {
        let name = try r.string(), version = try r.string(), description = try r.string()
        let major = try r.u32(), minor = try r.u32(), intents = try r.u64()
        let count = try r.u32()
        guard count <= 64 else { throw WireError("\(count) owned names") }
        var owned: [String] = []
        for _ in 0..<count { owned.append(try r.string()) }
        let has = try r.u8()
        // Checked again here: the child's word is not trusted.
        guard PluginEntry.isValidName(name), owned.allSatisfy(NameOwnership.isValidName) else { throw WireError("invalid names in the descriptor") }
        let present: bothost_init_fn = { _, _, _ in Status.ok }
        return PluginDescriptor(name: name, version: ControlCharacters.escaped(version), description: ControlCharacters.escaped(description),
                                abiMajor: major, abiMinor: minor, gatewayIntents: intents, ownedNames: owned,
                                initFn: has & 1 != 0 ? present : nil,
                                startFn: has & 2 != 0 ? { _, _, _ in Status.ok } : nil,
                                stopFn: has & 4 != 0 ? { _, _ in } : nil,
                                configChangedFn: has & 8 != 0 ? { _, _, _ in Status.ok } : nil)
    }

    /// Keeps the child's output: logged as the plugin's, and the last lines kept for a crash report.
    private func readOutput(fd: Int32) {
        let thread = Thread { [self] in
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            var pending = [UInt8]()
            var budget = OutputBudget()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(contentsOf: chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    line(Array(pending[..<newline]), &budget)
                    pending.removeSubrange(...newline)
                }
                if pending.count > 4096 { line(pending, &budget); pending.removeAll() }
            }
            if !pending.isEmpty { line(pending, &budget) }
        }
        thread.name = "plugin-output.\(name)"
        thread.start()
    }

    /// The output thread's budget: a plugin printing in a loop must not flood the host's log.
    private static let linesPerSecond = 100
    private struct OutputBudget {
        var windowStartNs: UInt64 = 0
        var logged = 0
        var leftOut = 0
    }

    private func line(_ bytes: [UInt8], _ budget: inout OutputBudget) {
        let text = ControlCharacters.escaped(String(decoding: bytes.prefix(4096), as: UTF8.self))
        let now = MonotonicTime.coarseNs()
        if now &- budget.windowStartNs >= 1_000_000_000 {
            if budget.leftOut > 0 { logger.warning("[process] \(budget.leftOut) more lines of output left out of the log (over \(Self.linesPerSecond) a second)") }
            budget = OutputBudget(windowStartNs: now)
        }
        if budget.logged < Self.linesPerSecond {
            budget.logged += 1
            logger.info("[process] \(text)")
        } else {
            budget.leftOut += 1
        }
        outputTail.withLock { tail in
            tail.append(text)
            if tail.count > Self.tailLines { tail.removeFirst(tail.count - Self.tailLines) }
        }
    }

    /// The child's last output lines, as a suffix for a crash report.
    var tailText: String {
        let lines = outputTail.withLock { $0 }
        return lines.isEmpty ? "" : "; its last output: " + lines.suffix(5).joined(separator: " | ")
    }

    // MARK: ordering

    /// Sends a callback (or lifecycle step) behind every one sent before it; waits while the child is
    /// `window` behind. Returns its seq, or nil when the child is gone.
    @discardableResult
    func send(token: UInt64, _ kind: WireCallback, awaitingAnswer: Bool = false, _ arguments: (inout WireWriter) -> Void) -> UInt64? {
        var frame = WireWriter(.callback)
        frame.u64(0)  // seq, filled in below
        frame.u64(token)
        frame.u8(kind.rawValue)
        arguments(&frame)
        // The child takes no frame over the limit (an HTTP body, a bus payload that big): this
        // callback cannot cross, and the plugin is told in the log rather than killed for it.
        guard frame.bytes.count - 4 <= IsolationChannel.maxFrameBytes else {
            logger.error("plugin \(name): a \(kind) callback of \(frame.bytes.count) bytes is over the \(IsolationChannel.maxFrameBytes) bytes an isolated plugin can receive; it was not delivered")
            return nil
        }
        return sendInOrder(frame, awaitingAnswer: awaitingAnswer)
    }

    /// Sends the free of a registration's user_data, in order with the callbacks.
    func sendFree(token: UInt64) {
        var frame = WireWriter(.free)
        frame.u64(0)
        frame.u64(token)
        sendInOrder(frame)
    }

    @discardableResult
    private func sendInOrder(_ frame: WireWriter, awaitingAnswer: Bool = false) -> UInt64? {
        var frame = frame
        // A free can reach here on the reader thread (a registration refused for a plugin already
        // gone): it must not wait for progress only the reader can read.
        let mayWait = readerThread.load(ordering: .acquiring) != UInt(pthread_self())
        flow.lock()
        while mayWait && state.exit == nil && state.sent - state.done >= Self.window { flow.wait() }
        guard state.exit == nil else {
            flow.unlock()
            return nil
        }
        state.sent += 1
        let seq = state.sent
        if awaitingAnswer { state.awaited.insert(seq) }
        var bytes = frame.finish()
        withUnsafeBytes(of: seq.littleEndian) { raw in for i in 0..<8 { bytes[5 + i] = raw[i] } }
        if state.sent - state.done == 1 { busySinceNs.store(MonotonicTime.coarseNs(), ordering: .relaxed) }
        // Queued under the lock, so frames leave in seq order; written after it, so a child that
        // stops reading blocks only this thread, never the reader or the watchdog.
        let mustWrite = channel.enqueue(bytes) == true
        flow.unlock()
        if mustWrite { channel.drain() }
        return seq
    }

    private func finished(_ seq: UInt64, _ status: Int32, _ reason: String) {
        flow.lock()
        if seq > state.done && seq <= state.sent {
            state.done = seq
            busySinceNs.store(state.done == state.sent ? 0 : MonotonicTime.coarseNs(), ordering: .relaxed)
            finishedCount.add(1, ordering: .relaxed)
        }
        if state.awaited.remove(seq) != nil { state.answers[seq] = (status, reason) }
        flow.broadcast()
        flow.unlock()
    }

    /// Runs a lifecycle step in the child and waits for its status (the caller's deadline applies
    /// around this; a dead child answers at once).
    func lifecycle(_ kind: WireCallback, token: UInt64 = 0, _ arguments: (inout WireWriter) -> Void = { _ in }) -> (Int32, String) {
        guard let seq = send(token: token, kind, awaitingAnswer: true, arguments) else { return deadAnswer() }
        flow.lock()
        defer { flow.unlock() }
        while state.answers[seq] == nil && state.exit == nil { flow.wait() }
        state.awaited.remove(seq)
        if let answer = state.answers.removeValue(forKey: seq) { return answer }
        return deadAnswer(locked: true)
    }

    private func deadAnswer(locked: Bool = false) -> (Int32, String) {
        let exit = locked ? state.exit : flow.withLock { state.exit }
        return (Status.internalError, "the plugin's process \(exit.map { "died (\($0))" } ?? "is gone")")
    }

    /// Returns once the child has run everything sent to it before the call (blocks the thread).
    package func caughtUp() { _ = lifecycle(.barrier) }

    /// The host has begun stopping the plugin: callbacks the child has not run yet are skipped.
    package func beginStopping() {
        channel.sendDetached(WireWriter(.stopping).finishedCopy())
    }

    /// The host abandoned the lifecycle step the child is running (its deadline passed): the child
    /// goes on with what follows on a fresh thread.
    package func abandonRunningStep() {
        channel.sendDetached(WireWriter(.abandon).finishedCopy())
    }

    // MARK: ending

    /// The host is about to stop the plugin: from now on the child's exit is expected, not a crash.
    package func expectExit() { flow.withLock { state.ending = true } }

    /// Ends the child after the host has stopped the plugin: lets it run what is queued (the last
    /// frees), closes the channel and returns once the process is gone (killed if it lingers).
    package func end(graceMs: Int = 2000) async {
        await BlockingWork.run("plugin-end.\(name)") { self.endNow(graceMs: graceMs) }
    }

    /// `end` without waiting for it (a refused plugin's process).
    package func endInBackground() {
        BlockingWork.detach("plugin-end.\(name)") { self.endNow(graceMs: 2000) }
    }

    private func endNow(graceMs: Int) {
        let seq = flow.withLock { () -> UInt64 in
            state.ending = true
            return state.sent
        }
        // Everything sent so far runs before the child sees the end of the stream.
        var deadline = Date(timeIntervalSinceNow: Double(graceMs) / 1000)
        flow.lock()
        while state.done < seq && state.exit == nil { if !flow.wait(until: deadline) { break } }
        flow.unlock()
        shutdown(channel.fd, Int32(SHUT_WR))
        deadline = Date(timeIntervalSinceNow: Double(graceMs) / 1000)
        flow.lock()
        while state.exit == nil { if !flow.wait(until: deadline) { break } }
        let exited = state.exit != nil
        flow.unlock()
        guard !exited else { return }
        logger.warning("plugin \(name): its process did not end within \(graceMs) ms of being asked; killing it")
        Foundation.kill(pid, SIGKILL)
        flow.lock()
        while state.exit == nil { flow.wait() }
        flow.unlock()
    }

    /// Kills the child now (it overran, or broke the protocol); the supervisor restarts it.
    package func kill(reason: String) {
        let first = killReason.withLock { current -> Bool in
            guard current == nil else { return false }
            current = reason
            return true
        }
        if first {
            logger.error("plugin \(name): killing its process: \(reason)")
            Foundation.kill(pid, SIGKILL)
        }
    }

    /// Waits for the child to exit, records why, wakes every waiter and tells the supervisor.
    private func reap() {
        var status: Int32 = 0
        // The socket closed; the process should be exiting. A child that closed its socket and
        // lives on is killed after a grace period. A dying process closes its socket just before
        // it can be reaped, so the first look usually comes too early: look again every
        // millisecond, since a crashed plugin restarts only once it is reaped.
        var waited = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if waited >= 2000 { Foundation.kill(pid, SIGKILL); _ = waitpid(pid, &status, 0); break }
            usleep(1_000)
            waited += 1
        }
        let cause = Self.describe(status)
        let (ending, handler) = flow.withLock { () -> (Bool, (@Sendable (String) -> Void)?) in
            state.exit = cause
            // Taken on every path: the handler holds the supervisor, which holds this process.
            defer { state.onCrash = nil }
            return (state.ending, state.onCrash)
        }
        let killReason = self.killReason.withLock { $0 }
        busySinceNs.store(0, ordering: .relaxed)
        flow.broadcast()
        channel.close()
        guard !ending else {
            if status == 0 {
                logger.debug("plugin \(name): its process ended")
            } else {
                logger.warning("plugin \(name): its process ended with \(cause) while the host stopped it\(tailText)")
            }
            return
        }
        let report = (killReason.map { "killed by the host: \($0)" } ?? cause) + tailText
        logger.error("plugin \(name): its process died: \(report)")
        handler?(report)
    }

    /// "signal 11 (SIGSEGV)", "exit status 3".
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exit status \((status >> 8) & 0xFF)" }
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGKILL: "SIGKILL", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
                                      SIGILL: "SIGILL", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP", SIGXCPU: "SIGXCPU"]
        return "signal \(signal)" + (names[signal].map { " (\($0))" } ?? "")
    }

    // MARK: fuzzing

    /// A process object with no process behind it and a closed channel, whose calls act for a
    /// plugin that has stopped: the fuzz target feeds it what a hostile child could send.
    package static func parsingOnly() -> PluginProcess {
        var sockets: [Int32] = [-1, -1]
        _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sockets)
        if sockets[1] >= 0 { Foundation.close(sockets[1]) }
        let process = PluginProcess(name: "fuzz", pid: 0, settings: PluginIsolation(), channel: IsolationChannel(fd: sockets[0]),
                                    logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        process.attach(PluginRef.stoppedPointer())
        // No child: nothing is ever sent (and no send waits for a child's progress).
        process.flow.withLock { process.state.exit = "no process (parsing only)" }
        return process
    }

    /// One frame from the child, as the reader thread takes it; false when it would end the child.
    @discardableResult
    package func receive(kind: UInt8, body: [UInt8]) -> Bool {
        body.withUnsafeBytes { raw in (try? handle(kind, raw)) != nil }
    }
}
