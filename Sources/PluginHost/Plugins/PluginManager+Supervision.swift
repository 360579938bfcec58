import BotHostCore
import Foundation
import Logging

/// The supervisor of isolated plugins: when a plugin's process dies, its registrations go (its
/// commands are answered "restarting" meanwhile), and it starts again after a pause that grows
/// with each crash; after `maxCrashes` crashes within `windowSeconds` it stays stopped, and says
/// why, until the operator reloads it or changes its entry.
extension PluginManager {
    /// What the supervisor remembers per plugin.
    struct Supervision {
        /// When each recent crash happened (ms, host clock), per plugin.
        var crashes: [String: [Int64]] = [:]
        /// Plugins waiting to restart (or restarting): the cause, the crash count, and which restart
        /// is due (a crash during a restart schedules the next one).
        var restarting: [String: (cause: String, crashes: Int, attempt: Int)] = [:]
        var attempts = 0
        /// Plugins stopped after too many crashes: the entry they had, and why.
        var crashedOut: [String: (entry: PluginEntry, reason: String)] = [:]
        /// The process each plugin runs in now: an older process's death is not news.
        var current: [String: ObjectIdentifier] = [:]
        /// Set by `stopAll`: no crash is answered with a restart any more.
        var shuttingDown = false

        func state(of name: String) -> PluginStatus.State? {
            if let restart = restarting[name] { return .restarting(cause: restart.cause, crashes: restart.crashes) }
            if let out = crashedOut[name] { return .crashed(out.reason) }
            return nil
        }

        /// Whether `apply` should leave this entry to the supervisor.
        func holdsBack(_ entry: PluginEntry) -> Bool {
            restarting[entry.name] != nil || crashedOut[entry.name]?.entry == entry
        }

        mutating func forget(_ name: String) {
            crashes[name] = nil
            restarting[name] = nil
            crashedOut[name] = nil
        }

        /// Drops what concerns plugins no longer wanted, and crashed-out plugins whose entry changed.
        /// Returns the plugins that were waiting to restart and no longer will: their parked
        /// commands must go.
        mutating func keepOnly(_ wanted: [String: PluginEntry]) -> [String] {
            var abandoned: [String] = []
            for name in Set(crashes.keys).union(restarting.keys).union(crashedOut.keys) {
                guard let entry = wanted[name], entry.enabled else {
                    if restarting[name] != nil { abandoned.append(name) }
                    forget(name)
                    continue
                }
                if let out = crashedOut[name], out.entry != entry { forget(name) }
            }
            return abandoned
        }
    }

    /// The library of an entry: dlopen'ed here, or loaded by a fresh child process.
    func loadLibrary(_ entry: PluginEntry, path: String) async -> Result<LoadedLibrary, PluginRefusal> {
        guard entry.isolation.isProcess else { return PluginLoader.load(path: path, api: apiTable) }
        switch await PluginProcess.spawn(library: path, name: entry.name, settings: entry.isolation, logger: runtime.logger,
                                   deadlineMs: Self.lifecycleDeadlineMs) {
        case .success(let (process, descriptor)):
            return .success(LoadedLibrary(path: path, loadedPath: path, descriptor: descriptor, process: process))
        case .failure(let refusal):
            return .failure(PluginRefusal(kind: refusal.kind, file: path, cause: refusal.cause, fix: refusal.fix))
        }
    }

    /// Watches a plugin's new process: its death on its own is a crash.
    func supervise(_ process: PluginProcess, entry: PluginEntry) {
        supervision.current[entry.name] = ObjectIdentifier(process)
        process.onCrash { [weak self] cause in
            Task { await self?.processCrashed(entry.name, process: process, cause: cause) }
        }
    }

    private func processCrashed(_ name: String, process: PluginProcess, cause: String) async {
        guard supervision.current[name] == ObjectIdentifier(process) else { return }
        supervision.current[name] = nil
        // During shutdown a dying child is only stopped (stopAll does that): nothing restarts.
        guard !supervision.shuttingDown else { return }
        let settings = process.settings
        let now = runtime.clock.nowMs()
        let window = Int64(settings.windowSeconds) * 1000
        var recent = (supervision.crashes[name] ?? []).filter { now - $0 < window }
        recent.append(now)
        supervision.crashes[name] = recent

        // Its commands stay with Discord while it restarts; the registrations themselves go.
        runtime.commands.park(plugin: name)
        if running[name]?.instance.library.process === process {
            await stop(name, reason: "its process died: \(cause)")
        }

        if recent.count >= settings.maxCrashes {
            let reason = "crashed \(recent.count) times within \(settings.windowSeconds) s (the limit, restart.maxCrashes, is \(settings.maxCrashes)); "
                + "last: \(cause). Fix the plugin, then run `bothost plugins reload \(name)` or edit its entry in plugins.json"
            supervision.restarting[name] = nil
            if let entry = configured.first(where: { $0.name == name }) { supervision.crashedOut[name] = (entry, reason) }
            runtime.commands.unpark(plugin: name)
            runtime.logger.error("plugin \(name) stays stopped: \(reason)")
            runtime.events.publish(HostEvent.PluginCrashed(plugin: name, cause: cause, crashes: recent.count, restartInMs: nil))
            return
        }
        let delayMs = Self.restartDelayMs(crashes: recent.count, maxMs: settings.maxBackoffMs)
        supervision.attempts += 1
        let attempt = supervision.attempts
        supervision.restarting[name] = (cause, recent.count, attempt)
        runtime.logger.warning("plugin \(name) crashed (\(recent.count) of \(settings.maxCrashes) allowed within \(settings.windowSeconds) s); restarting it in \(delayMs) ms")
        runtime.events.publish(HostEvent.PluginCrashed(plugin: name, cause: cause, crashes: recent.count, restartInMs: delayMs))
        Task { [weak self] in
            if delayMs > 0 { try? await Task.sleep(for: .milliseconds(delayMs)) }
            await self?.restartAfterCrash(name, attempt: attempt)
        }
    }

    /// The pause before a restart: none after a first crash, then 250 ms doubling up to `maxMs`.
    static func restartDelayMs(crashes: Int, maxMs: Int) -> Int {
        guard crashes > 1 else { return 0 }
        let doubled = 250 << min(crashes - 2, 20)
        return min(doubled, maxMs)
    }

    private func restartAfterCrash(_ name: String, attempt: Int) async {
        guard supervision.restarting[name]?.attempt == attempt else { return }
        guard running[name] == nil, let entry = configured.first(where: { $0.name == name && $0.enabled }) else {
            supervision.restarting[name] = nil
            runtime.commands.unpark(plugin: name)
            return
        }
        guard !supervision.shuttingDown else { return }
        // Still "restarting" while it starts: apply leaves it alone, and the status says so.
        _ = await start(entry)
        // Disabled or removed while it started: it does not stay up.
        if configured.first(where: { $0.name == name && $0.enabled }) == nil || supervision.shuttingDown {
            await stop(name, reason: "it was disabled while it restarted")
            runtime.commands.unpark(plugin: name)
            return
        }
        guard supervision.restarting[name]?.attempt == attempt else { return }  // it crashed again meanwhile
        supervision.restarting[name] = nil
        // What it did not register again is gone for good.
        runtime.commands.unpark(plugin: name)
    }
}
