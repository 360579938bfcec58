import BotHostCore
import Foundation
import Logging
import PluginAPI
import Synchronization

/// Where a plugin is in its life.
public enum PluginPhase: UInt8, Sendable, CustomStringConvertible {
    case initializing, starting, running, stopping, stopped
    public var description: String {
        switch self {
        case .initializing: "initializing"
        case .starting: "starting"
        case .running: "running"
        case .stopping: "stopping"
        case .stopped: "stopped"
        }
    }
}

/// One running plugin: its library, executor, registrations and storage namespace.
///
/// Ownership: the `PluginManager` owns instances; registrations are owned by their instance and
/// end exactly once; the plugin's C code sees only the opaque `pointer`.
package final class PluginInstance: @unchecked Sendable {
    package let name: String
    package let library: LoadedLibrary
    /// Strong: work the instance started (a REST call, a lifecycle deadline) can finish after the
    /// runtime's owner let go of it. The cycle through the manager ends when the plugin stops.
    package let runtime: HostRuntime
    package let executor: PluginExecutor
    package let store: PluginStore
    package let logger: Logger
    package nonisolated(unsafe) private(set) var pointer: OpaquePointer? = nil

    private struct Table {
        var phase: PluginPhase = .initializing
        var registrations: [UInt64: Registration] = [:]
        /// How many registrations of each kind are held, for the per-plugin limits.
        var counts: [Registration.Kind: Int] = [:]

        mutating func insert(_ registration: Registration) {
            registrations[registration.handle] = registration
            counts[registration.kind, default: 0] += 1
        }

        mutating func remove(_ handle: UInt64) -> Registration? {
            guard let registration = registrations.removeValue(forKey: handle) else { return nil }
            counts[registration.kind, default: 1] -= 1
            return registration
        }
    }
    private let table = Mutex(Table())
    private let phaseValue = Atomic<UInt8>(PluginPhase.initializing.rawValue)
    private let configText: Mutex<String>
    /// The plugin's own state pointer from init; touched only on the executor.
    package nonisolated(unsafe) var pluginState: UnsafeMutableRawPointer? = nil
    package let overrunCount = Atomic<Int>(0)
    /// Logs the host's refusals of this plugin's calls (a name it does not own, a limit reached),
    /// at most one line per kind per interval: a hostile plugin retrying in a loop cannot flood the log.
    package let refusals: WarningThrottle
    package let startedAtMs: Int64
    /// The plugin's own lane in the timer scheduler (its timers and request timeouts), which
    /// fires fairly against every other plugin's.
    package let timerLane = HandleAllocator.make()

    package init(name: String, library: LoadedLibrary, configJSON: String, runtime: HostRuntime) {
        self.name = name
        self.library = library
        self.runtime = runtime
        self.executor = PluginExecutor(label: "plugin.\(name)", capacity: runtime.settings.busQueueCapacity,
                                       capacityBytes: runtime.settings.busQueueCapacityBytes)
        self.store = runtime.database.store(for: name)
        var logger = runtime.logger
        logger[metadataKey: "plugin"] = .string(name)
        self.logger = logger
        self.refusals = WarningThrottle(logger: logger)
        self.configText = Mutex(configJSON)
        self.startedAtMs = runtime.clock.nowMs()
        self.pointer = PluginRef.makePointer(for: self)
    }

    // MARK: phase

    package var phase: PluginPhase { PluginPhase(rawValue: phaseValue.load(ordering: .acquiring)) ?? .stopped }

    /// Callbacks (timers, bus, commands, replies) reach the plugin only while it starts or runs.
    package var acceptsCallbacks: Bool {
        let p = phaseValue.load(ordering: .acquiring)
        return p == PluginPhase.running.rawValue || p == PluginPhase.starting.rawValue
    }

    /// Calls that register nothing (log, publish, storage, config) work until the plugin has stopped.
    package var acceptsCalls: Bool { phaseValue.load(ordering: .acquiring) != PluginPhase.stopped.rawValue }

    package func setPhase(_ phase: PluginPhase) {
        table.withLock { t in
            t.phase = phase
            phaseValue.store(phase.rawValue, ordering: .releasing)
        }
    }

    package var configJSON: String {
        get { configText.withLock { $0 } }
        set { configText.withLock { $0 = newValue } }
    }

    // MARK: registrations

    /// Records a registration; fails once the plugin is stopping, or when it already holds its
    /// limit of that kind (the caller then frees user_data).
    package func add(_ registration: Registration) throws(HostCallError) {
        let limit = runtime.settings.limits.limit(for: registration.kind)
        enum Outcome { case accepted, notRunning, overLimit(Int) }
        let outcome = table.withLock { t -> Outcome in
            guard t.phase == .starting || t.phase == .running else { return .notRunning }
            if let limit, t.counts[registration.kind, default: 0] >= limit { return .overLimit(limit) }
            t.insert(registration)
            return .accepted
        }
        switch outcome {
        case .accepted: return
        case .overLimit(let limit):
            let key = RegistrationLimits.settingKey(for: registration.kind)
            refusals.warning("limit.\(registration.kind.rawValue)", "plugin \(name) reached its limit of \(limit) registrations of kind \(registration.kind.rawValue) (\(key)); further ones are refused")
            throw HostCallError(Status.tooLarge, "plugin \(name) already holds \(limit) registrations of this kind (\(registration.kind.rawValue)), "
                + "its limit: end some first, or raise \"\(key)\" in plugins.json's host section")
        case .notRunning:
            throw HostCallError(Status.stopped, phase == .initializing
                ? "plugin \(name) cannot register anything during init; register in start"
                : "plugin \(name) is \(phase); nothing can be registered")
        }
    }

    /// How many registrations of a kind the plugin holds.
    package func registrationCount(of kind: Registration.Kind) -> Int {
        table.withLock { $0.counts[kind, default: 0] }
    }

    package func registration(_ handle: UInt64) -> Registration? {
        table.withLock { $0.registrations[handle] }
    }

    package var registrationCount: Int { table.withLock { $0.registrations.count } }

    /// Removes a registration without ending it, for completions that won a race (reply vs timeout).
    package func take(_ handle: UInt64) -> Registration? {
        let registration = table.withLock { $0.remove(handle) }
        registration?.active.store(false, ordering: .releasing)
        return registration
    }

    /// Ends a registration exactly once: teardown, then the free on the executor. False if already gone.
    @discardableResult
    package func end(_ handle: UInt64, _ why: RegistrationEnd) -> Bool {
        guard let registration = take(handle) else { return false }
        registration.runTeardown(why)
        scheduleFree(registration.userData, registration.userDataFree)
        return true
    }

    /// Queues a user_data free on the executor, behind every callback already queued.
    package func scheduleFree(_ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?) {
        guard let free else { return }
        let box = UnsafeSendable(userData)
        executor.submit { free(box.value) }
    }

    /// Queues a callback that runs only if the registration is still active and the plugin accepts
    /// callbacks at the time it runs.
    package func callback(_ registration: Registration, _ body: @escaping @Sendable () -> Void) {
        executor.submit { [self] in
            guard registration.isActive, acceptsCallbacks else { return }
            body()
        }
    }

    /// Queues the last callback of a one-shot registration already taken from the table, then its free.
    package func complete(_ registration: Registration, deliver: Bool = true, _ body: @escaping @Sendable () -> Void) {
        registration.teardown = nil  // completed: nothing left to tear down, and no cycle kept alive
        let userData = UnsafeSendable(registration.userData)
        let free = registration.userDataFree
        executor.submit { [self] in
            if deliver && acceptsCallbacks { body() }
            free?(userData.value)
        }
    }

    // MARK: lifecycle

    /// Where lifecycle deadlines fire; its work is only resuming a continuation.
    private static let deadlines = DispatchQueue(label: "bothost.lifecycle-deadlines")

    /// Runs `body` on the executor and waits for it up to `deadlineMs`. False when it overran (the
    /// body may still be running; the executor has then been told to move on without it).
    package func runLifecycle(_ what: String, deadlineMs: Int, _ body: @escaping @Sendable () -> Void) async -> Bool {
        let finished: Bool = await withCheckedContinuation { continuation in
            let once = OnceFlag()
            executor.submit {
                body()
                if once.claim() { continuation.resume(returning: true) }
            }
            // Not the global pool: blocked plugin threads must not delay the deadline that unblocks them.
            Self.deadlines.asyncAfter(deadline: .now() + .milliseconds(deadlineMs)) {
                if once.claim() { continuation.resume(returning: false) }
            }
        }
        if !finished {
            logger.error("plugin \(name): \(what) did not return within \(deadlineMs) ms; abandoned it and moved on")
            runtime.events.publish(HostEvent.DeadlineMissed(plugin: name, what: what, deadlineMs: deadlineMs))
            executor.abandonRunningJob()
            library.process?.abandonRunningStep()
        }
        return finished
    }

    /// Drain rounds at the end of a stop (see `stop`): Task chains are a few jobs long.
    private static let stopDrainRounds = 8

    /// Stops the plugin: cleanup hooks last-registered-first, then the stop callback (each under the
    /// deadline), then every remaining registration is removed and every user_data freed.
    package func stop(reason: String) async {
        let snapshotPhase = table.withLock { t -> PluginPhase in
            let old = t.phase
            if old == .running || old == .starting {
                t.phase = .stopping
                phaseValue.store(PluginPhase.stopping.rawValue, ordering: .releasing)
            }
            return old
        }
        guard snapshotPhase == .running || snapshotPhase == .starting else { return }
        logger.info("stopping plugin \(name): \(reason)")
        library.process?.beginStopping()
        let deadline = runtime.settings.cleanupDeadlineMs

        // Cleanup hooks first, newest first, while the plugin's state is still alive. A hook's
        // user_data is freed right after it returns — by the same job, so a hook abandoned at its
        // deadline is never freed under its feet (it is freed if and when it returns).
        let hooks = table.withLock { t in
            t.registrations.values.filter { $0.kind == .cleanupHook }.sorted { $0.handle > $1.handle }
        }
        for (index, hook) in hooks.enumerated() {
            guard let registration = take(hook.handle), let run = registration.teardown else { continue }
            registration.teardown = nil
            let userData = UnsafeSendable(registration.userData), free = registration.userDataFree
            _ = await runLifecycle("cleanup hook \(hooks.count - index) of \(hooks.count)", deadlineMs: deadline) {
                run(.pluginStopped)
                free?(userData.value)
            }
        }

        // Then the stop callback, which releases the plugin's state.
        if let stopFn = library.descriptor.stopFn {
            let me = UnsafeSendable(pointer), state = UnsafeSendable(pluginState)
            _ = await runLifecycle("stop callback", deadlineMs: deadline) { stopFn(me.value, state.value) }
        }

        let remaining = table.withLock { t -> [Registration] in
            let all = Array(t.registrations.values).sorted { $0.handle > $1.handle }
            t.registrations.removeAll()
            t.counts.removeAll()
            return all
        }
        for registration in remaining {
            registration.active.store(false, ordering: .releasing)
            registration.runTeardown(.pluginStopped)
            scheduleFree(registration.userData, registration.userDataFree)
        }
        // Barrier: every free queued above has run when this job runs. A free may resume one of the
        // plugin's Tasks (its call ended unanswered), whose next job is then posted behind the
        // barrier: the executor is drained until a barrier finds nothing new, so that job still runs
        // while posting works rather than being refused after the stop. Bounded, so a plugin that
        // keeps posting is stopped all the same. (A Swift Task resumes through the global pool
        // before it posts; one slower than the drain is refused, and PluginKit finishes it itself.)
        for _ in 0..<Self.stopDrainRounds {
            let before = executor.enqueuedCount
            guard await runLifecycle("releasing registrations", deadlineMs: deadline, {}) else { break }
            if executor.enqueuedCount == before + 1 { break }  // only the barrier itself ran
        }
        // An isolated plugin's frees run in its process: they too come before "stopped" (in them,
        // storage and publishing still work, as rule 10 says).
        if let process = library.process {
            _ = await runLifecycle("releasing registrations in its process", deadlineMs: deadline) { process.caughtUp() }
        }
        runtime.scheduler.removeLane(timerLane)
        // Its voice holds go now, before it could start again and take new ones (holds go by
        // name, so a later release would take the new instance's with them).
        runtime.voice?.release(plugin: name)
        setPhase(.stopped)
        runtime.events.publish(HostEvent.PluginStopped(plugin: name, reason: reason))
    }
}

/// A value that is safe to hand across threads because the ABI says so (C pointers owned by a
/// plugin, used only on its executor).
package struct UnsafeSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}

/// A flag that can be claimed once, from any thread.
package final class OnceFlag: Sendable {
    private let claimed = Atomic<Bool>(false)
    package func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }
}
