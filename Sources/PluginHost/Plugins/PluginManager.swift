import BotHostCore
import Foundation
import Synchronization
import Logging
import PluginAPI

/// What the operator sees about one configured plugin.
public struct PluginStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case running
        case disabled
        case refused(PluginRefusal)
        /// An isolated plugin whose process died: it starts again after a pause.
        case restarting(cause: String, crashes: Int)
        /// An isolated plugin that crashed too often: stopped until the operator reloads it or
        /// changes its entry.
        case crashed(String)
    }
    public let name: String
    public let library: String
    public let state: State
    public let version: String?
    public let registrations: Int
    public let overruns: Int
    public let droppedEvents: UInt64
    /// The process an isolated plugin runs in (nil in the host's own process).
    public var processID: Int32? = nil
}

/// Decides which plugins run: loads, starts, reconfigures and stops them to match plugins.json.
/// One refused or failing plugin never affects the host or the other plugins.
public actor PluginManager {
    public let runtime: HostRuntime
    /// Bare library names are looked up here.
    public let pluginsDirectory: String
    /// Relative library paths resolve against this (the folder of plugins.json).
    public let configDirectory: String
    var running: [String: (instance: PluginInstance, entry: PluginEntry, path: String)] = [:]
    private var refused: [String: (entry: PluginEntry, refusal: PluginRefusal)] = [:]
    var configured: [PluginEntry] = []
    /// Crashes, pending restarts and plugins left stopped after too many crashes (isolated plugins).
    var supervision = Supervision()
    static let lifecycleDeadlineMs = 30_000
    /// The host API table plugins get: the current one, or an older minor's (a test hook).
    let apiTable: UnsafePointer<bothost_host_api>

    /// `offeringABIMinor` makes this host behave as a host of that older minor (for tests of the
    /// ABI's version rule); by default it offers the current minor.
    public init(runtime: HostRuntime, pluginsDirectory: String, configDirectory: String,
                offeringABIMinor: UInt32 = PluginLoader.hostABIMinor) {
        self.runtime = runtime
        self.pluginsDirectory = pluginsDirectory
        self.configDirectory = configDirectory
        self.apiTable = HostAPI.offeredTable(minor: offeringABIMinor)
        // The watchdog decides when a plugin has overrun too often; stopping it is the manager's job.
        let lifecycle = runtime.events.stream()
        overrunWatch.withLock { $0 = Task { [weak self] in
            for await event in lifecycle {
                guard case .overrunLimitReached(let name, _) = event else { continue }
                await self?.stop(name, reason: "it kept overrunning its callback budget")
            }
        } }
    }

    /// Stops plugins the watchdog reports as overrunning too often; ends with the runtime's events.
    private let overrunWatch = Mutex<Task<Void, Never>?>(nil)

    deinit { overrunWatch.withLock { $0?.cancel() } }

    /// Resolves an entry's `library` to a file path.
    public func resolve(_ library: String) -> String {
        LibraryPath.resolve(library, pluginsDirectory: pluginsDirectory, configDirectory: configDirectory)
    }

    /// Brings the running set in line with the file: stops what was removed or disabled, restarts
    /// what changed library, reconfigures what changed config, starts what is new or was refused.
    @discardableResult
    public func apply(_ file: PluginsFile) async -> [PluginStatus] {
        configured = file.plugins
        let wanted = Dictionary(file.plugins.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        for (name, current) in running {
            guard let entry = wanted[name], entry.enabled else {
                await stop(name, reason: wanted[name] == nil ? "removed from plugins.json" : "disabled in plugins.json")
                continue
            }
            if resolve(entry.library) != current.path {
                await stop(name, reason: "its library changed in plugins.json")
            } else if entry.isolation != current.entry.isolation {
                await stop(name, reason: "its isolation settings changed in plugins.json")
            } else if entry.configJSON != current.entry.configJSON {
                await reconfigure(name, to: entry)
            }
        }
        refused = refused.filter { wanted[$0.key]?.enabled == true }
        for name in supervision.keepOnly(wanted) { runtime.commands.unpark(plugin: name) }
        // A plugin waiting to restart, or stopped after too many crashes with this same entry, is
        // left to its supervisor.
        let starting = file.plugins.filter { $0.enabled && running[$0.name] == nil && !supervision.holdsBack($0) }
        claimNamesBeforeStarting(starting)
        for entry in starting {
            _ = await start(entry)
        }
        return statuses()
    }

    /// Loads and starts one plugin. On refusal, the reason is logged, published and kept for status.
    public func start(_ entry: PluginEntry) async -> Result<Void, PluginRefusal> {
        let path = resolve(entry.library)
        let result = await load(entry, path: path)
        if case .success(let instance) = result, running[entry.name] != nil {
            // Started meanwhile by another path (an operator's restart beside a supervisor's):
            // one instance runs, the later one goes.
            instance.library.process?.expectExit()
            await instance.stop(reason: "another start of it finished first")
            await instance.library.process?.end()
            runtime.detach(instance)
            return .success(())
        }
        switch result {
        case .success(let instance):
            refused[entry.name] = nil
            running[entry.name] = (instance, entry, path)
            let place = instance.library.process.map { " in process \($0.pid)" } ?? ""
            runtime.logger.info("plugin \(entry.name) \(instance.library.descriptor.version) started from \(path)\(place)")
            runtime.events.publish(HostEvent.PluginStarted(plugin: entry.name, version: instance.library.descriptor.version, library: path))
            return .success(())
        case .failure(let refusal):
            if running[entry.name] == nil { runtime.names.release(entry.name) }
            refused[entry.name] = (entry, refusal)
            runtime.logger.error("\(refusal.description)")
            runtime.events.publish(HostEvent.PluginRefused(plugin: entry.name, file: refusal.file, cause: refusal.cause, fix: refusal.fix))
            return .failure(refusal)
        }
    }

    private func load(_ entry: PluginEntry, path: String) async -> Result<PluginInstance, PluginRefusal> {
        let library: LoadedLibrary
        switch await loadLibrary(entry, path: path) {
        case .success(let loaded): library = loaded
        case .failure(let refusal): return .failure(refusal)
        }
        // A refused isolated plugin's process ends with the refusal.
        var keepProcess = false
        defer { if !keepProcess { library.process?.endInBackground() } }
        let declared = library.descriptor.name
        if let other = running.first(where: { $0.value.instance.library.descriptor.name == declared && $0.key != entry.name }) {
            return .failure(PluginRefusal(kind: .duplicateName, file: path,
                cause: "a plugin named \"\(declared)\" is already running (from \(other.value.path))",
                fix: "disable one of the two in plugins.json; plugin names are unique"))
        }
        guard declared == entry.name else {
            return .failure(PluginRefusal(kind: .nameMismatch, file: path,
                cause: "plugins.json calls it \"\(entry.name)\" but the library says its name is \"\(declared)\"",
                fix: "set \"name\": \"\(declared)\" for this entry in plugins.json"))
        }

        if let clash = claimNames(of: library.descriptor, path: path) { return .failure(clash) }

        let instance = PluginInstance(name: entry.name, library: library, configJSON: entry.configJSON, runtime: runtime)
        if let process = library.process {
            process.attach(instance.pointer)
            supervise(process, entry: entry)
        }
        let descriptor = library.descriptor
        let me = UnsafeSendable(instance.pointer)

        // init
        let initOutcome = LifecycleOutcome()
        if let initFn = descriptor.initFn {
            let finished = await instance.runLifecycle("init", deadlineMs: Self.lifecycleDeadlineMs) {
                var state: UnsafeMutableRawPointer? = nil
                var reason = bothost_str(ptr: nil, len: 0)
                let status = initFn(me.value, &state, &reason)
                instance.pluginState = state
                initOutcome.set(status, ControlCharacters.escaped(String(decoding: reason.bytes.prefix(4096), as: UTF8.self)))
            }
            let (status, reason) = initOutcome.value
            if !finished || status != Status.ok {
                instance.setPhase(.stopped)
                let cause = finished ? "its init failed with \(Status.name(status))" + (reason.isEmpty ? "" : ": \(reason)")
                                     : "its init did not return within \(Self.lifecycleDeadlineMs) ms"
                return .failure(PluginRefusal(kind: .initFailed, file: path, cause: cause,
                    fix: "correct the plugin's \"config\" in plugins.json (or what the reason names), then save the file to retry"))
            }
        }

        // start
        instance.setPhase(.starting)
        runtime.attach(instance)
        let startOutcome = LifecycleOutcome()
        if let startFn = descriptor.startFn {
            let state = UnsafeSendable(instance.pluginState)
            let finished = await instance.runLifecycle("start", deadlineMs: Self.lifecycleDeadlineMs) {
                var reason = bothost_str(ptr: nil, len: 0)
                let status = startFn(me.value, state.value, &reason)
                startOutcome.set(status, ControlCharacters.escaped(String(decoding: reason.bytes.prefix(4096), as: UTF8.self)))
            }
            let (status, reason) = startOutcome.value
            if !finished || status != Status.ok {
                await instance.stop(reason: "start failed")
                runtime.detach(instance)
                let cause = finished ? "its start failed with \(Status.name(status))" + (reason.isEmpty ? "" : ": \(reason)")
                                     : "its start did not return within \(Self.lifecycleDeadlineMs) ms"
                return .failure(PluginRefusal(kind: .startFailed, file: path, cause: cause,
                    fix: "see the plugin's log lines above; correct its config or environment, then save plugins.json to retry"))
            }
        }
        instance.setPhase(.running)
        keepProcess = true
        return .success(instance)
    }

    /// Gives a running plugin its new config; stops it (for apply to start again) when it cannot
    /// apply the change live, and keeps it running on its previous config when it refuses the new
    /// one as invalid.
    private func reconfigure(_ name: String, to entry: PluginEntry) async {
        guard let current = running[name] else { return }
        let instance = current.instance
        instance.configJSON = entry.configJSON
        var status: bothost_status? = nil
        if let configChanged = instance.library.descriptor.configChangedFn {
            let outcome = LifecycleOutcome()
            let me = UnsafeSendable(instance.pointer), state = UnsafeSendable(instance.pluginState)
            let config = entry.configJSON
            let finished = await instance.runLifecycle("config_changed", deadlineMs: runtime.settings.cleanupDeadlineMs) {
                let status = withCStr(config) { configChanged(me.value, state.value, $0) }
                outcome.set(status, "")
            }
            if finished { status = outcome.value.status }
        }
        if status == Status.ok {
            running[name] = (instance, entry, current.path)
            runtime.logger.info("plugin \(name) applied its new config")
        } else if status == Status.invalidArgument {
            // Refused as invalid: a restart would only have init refuse it too and leave the plugin
            // down. It runs on with its previous config (which config_get answers again); the entry
            // stays the old one, so the refusal is repeated until the file is fixed.
            instance.configJSON = current.entry.configJSON
            let index = configured.firstIndex { $0.name == name }.map(String.init) ?? "?"
            runtime.logger.error("plugins.json: $.plugins[\(index)].config: plugin \(name) refused its new config (its log line above names the field); it keeps running with its previous config. Fix: correct the entry's \"config\" and save the file")
        } else {
            let why = if instance.library.descriptor.configChangedFn == nil {
                "its config changed and it has no config_changed to apply it live"
            } else if status == nil {
                "its config changed and its config_changed did not finish in time"
            } else {
                "its config changed and it asked to be restarted"
            }
            // apply starts it again with the plugins that are not running, once (a refusal of the
            // new config is then reported once, not once here and once there).
            await stop(name, reason: why)
        }
    }

    /// What `restart` did.
    public enum RestartOutcome: Sendable, Equatable {
        /// Stopped (if it ran) and started again from its plugins.json entry.
        case restarted
        /// Stopped (if it ran); its start was refused, with the reason (kept for `statuses`).
        case refused(PluginRefusal)
        /// plugins.json has no enabled entry of that name.
        case notConfigured
    }

    /// Stops a plugin and starts it again from its current plugins.json entry: the operator's way
    /// out of a wedged plugin without editing the file. A plugin that was refused is tried again.
    /// `reason` is what the stop logs and publishes (an operator's reload, a replaced library file).
    public func restart(_ name: String, reason: String = "restarted by the operator") async -> RestartOutcome {
        guard let entry = configured.first(where: { $0.name == name && $0.enabled }) else { return .notConfigured }
        supervision.forget(name)  // the operator's restart starts its crash count afresh
        runtime.commands.unpark(plugin: name)
        await stop(name, reason: reason)
        claimNamesBeforeStarting([entry])
        switch await start(entry) {
        case .success: return .restarted
        case .failure(let refusal): return .refused(refusal)
        }
    }

    /// Stops one plugin (idempotent).
    public func stop(_ name: String, reason: String) async {
        guard let current = running.removeValue(forKey: name) else { return }
        current.instance.library.process?.expectExit()
        await current.instance.stop(reason: reason)
        await current.instance.library.process?.end()
        runtime.detach(current.instance)
        runtime.names.release(name)
    }

    // MARK: names

    /// Before a batch of plugins starts, each claims its names: first every plugin its own name —
    /// so a plugin that declares another's name is the one refused, whatever the order in
    /// plugins.json — then, in file order, the names each declares. So a command or topic is its
    /// owner's before any plugin of the batch starts and could take it. Clashes are left for
    /// `start` to refuse (with both names), as are libraries that cannot be loaded.
    private func claimNamesBeforeStarting(_ entries: [PluginEntry]) {
        // An isolated plugin's library is never loaded into the host: it claims its names when its
        // process has reported them.
        let descriptors = entries.filter { !$0.isolation.isProcess }.compactMap { entry -> PluginDescriptor? in
            guard case .success(let library) = PluginLoader.load(path: resolve(entry.library), api: apiTable),
                  library.descriptor.name == entry.name else { return nil }
            return library.descriptor
        }
        for descriptor in descriptors { _ = runtime.names.claim([descriptor.name], for: descriptor.name) }
        for descriptor in descriptors { _ = runtime.names.claim(descriptor.ownedNames, for: descriptor.name) }
    }

    /// Claims a loading plugin's names — its own, then those it declares — and checks that no other
    /// plugin holds a command under them. On a clash nothing stays claimed, and the refusal names
    /// both plugins and which one to disable.
    private func claimNames(of descriptor: PluginDescriptor, path: String) -> PluginRefusal? {
        let name = descriptor.name
        func refuse(_ cause: String, _ fix: String) -> PluginRefusal {
            runtime.names.release(name)
            return PluginRefusal(kind: .nameConflict, file: path, cause: cause, fix: fix)
        }
        if let clash = runtime.names.claim([name], for: name) {
            if clash.owner == NameOwnership.hostOwner {
                return refuse("its name \"\(name)\" is reserved for the host's own bus topics (\(clash.ownedName).…)",
                              "rename the plugin in its descriptor and in plugins.json")
            }
            return refuse("its name \"\(name)\" is declared by plugin \"\(clash.owner)\" (as \"\(clash.ownedName)\"), a name that is not its own",
                          "disable \"\(clash.owner)\" in plugins.json (it declares another plugin's name), then save the file to start \"\(name)\"")
        }
        if let clash = runtime.names.claim(descriptor.ownedNames, for: name) {
            if clash.owner == NameOwnership.hostOwner {
                return refuse("it declares the name \"\(clash.name)\", but \"\(clash.ownedName).…\" topics are the host's",
                              "remove \"\(clash.name)\" from the descriptor's owned_names")
            }
            if clash.ownedName == clash.owner {
                return refuse("it declares the name \"\(clash.name)\", which overlaps the name of plugin \"\(clash.owner)\"",
                              "disable \"\(name)\" in plugins.json: it declares another plugin's name")
            }
            return refuse("it declares the name \"\(clash.name)\", but plugin \"\(clash.owner)\" already owns \"\(clash.ownedName)\"",
                          "two plugins claim the same name: disable \"\(name)\" in plugins.json, or disable \"\(clash.owner)\" and save the file to start \"\(name)\"")
        }
        // A command registered before its owner arrived (a squatter loaded first) stays refused to the owner until the squatter goes.
        let commandOwners = runtime.commands.owners
        for owned in [name] + descriptor.ownedNames {
            if let holder = commandOwners[owned], holder != name {
                return refuse("it owns the name \"\(owned)\", but plugin \"\(holder)\" has registered the command /\(owned) without owning that name",
                              "disable \"\(holder)\" in plugins.json (it took a command it does not own), then save the file to start \"\(name)\"")
            }
        }
        return nil
    }

    /// Stops every plugin, newest first. Shutdown cannot be vetoed.
    public func stopAll(reason: String = "host shutting down") async {
        supervision.shuttingDown = true
        let order = running.values.sorted { $0.instance.startedAtMs > $1.instance.startedAtMs }.map(\.instance.name)
        for name in order { await stop(name, reason: reason) }
    }

    public func statuses() -> [PluginStatus] {
        configured.map { entry in
            if let current = running[entry.name] {
                return PluginStatus(name: entry.name, library: current.path, state: .running,
                                    version: current.instance.library.descriptor.version,
                                    registrations: current.instance.registrationCount,
                                    overruns: current.instance.overrunCount.load(ordering: .relaxed),
                                    droppedEvents: current.instance.executor.droppedCount.load(ordering: .relaxed),
                                    processID: current.instance.library.process?.pid)
            }
            if let state = supervision.state(of: entry.name) {
                return PluginStatus(name: entry.name, library: resolve(entry.library), state: state,
                                    version: nil, registrations: 0, overruns: 0, droppedEvents: 0)
            }
            if let failure = refused[entry.name] {
                return PluginStatus(name: entry.name, library: resolve(entry.library), state: .refused(failure.refusal),
                                    version: nil, registrations: 0, overruns: 0, droppedEvents: 0)
            }
            return PluginStatus(name: entry.name, library: resolve(entry.library), state: .disabled,
                                version: nil, registrations: 0, overruns: 0, droppedEvents: 0)
        }
    }

    public var runningNames: [String] { running.keys.sorted() }

    /// The union of the gateway intents the running plugins declare.
    public var gatewayIntents: UInt64 {
        running.values.reduce(0) { $0 | $1.instance.library.descriptor.gatewayIntents }
    }
}

/// Where a plugins.json `library` value points: absolute paths as they are, paths with a folder
/// relative to plugins.json, bare file names in the plugins folder.
public enum LibraryPath {
    public static func resolve(_ library: String, pluginsDirectory: String, configDirectory: String) -> String {
        if library.hasPrefix("/") { return library }
        if library.contains("/") {
            return URL(fileURLWithPath: configDirectory).appendingPathComponent(library).standardizedFileURL.path
        }
        return URL(fileURLWithPath: pluginsDirectory).appendingPathComponent(library).path
    }
}

/// Carries a lifecycle callback's result from the executor back to the manager.
private final class LifecycleOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (status: bothost_status, reason: String) = (Status.internalError, "")
    func set(_ status: bothost_status, _ reason: String) { lock.withLock { stored = (status, reason) } }
    var value: (status: bothost_status, reason: String) { lock.withLock { stored } }
}
