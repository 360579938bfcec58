import BotHostCore
import Logging
import Synchronization

/// Notices when the library file of a running plugin is replaced and reloads that plugin alone
/// (`PluginManager.restart`: stopped, then started from its plugins.json entry with the file as it
/// is now). The plugins.json watcher calls `poll` once per interval.
///
/// A changed file is reloaded only once it has stayed the same for one whole poll, so a file still
/// being written is not loaded half-done; and only when the loader accepts it, so a broken build
/// leaves the plugin running its previous code (logged) instead of stopping it. (An isolated
/// plugin's new file is checked by its new process: a broken build leaves it refused.)
struct LibraryReplacementWatch {
    /// One running plugin's file: the identity it was (re)started with, and a newer one seen once.
    private struct Tracked {
        let path: String
        var loaded: LibraryFileIdentity?
        var pending: LibraryFileIdentity?
    }

    private let manager: PluginManager
    private let logger: Logger
    private var tracked: [String: Tracked] = [:]
    /// The files of plugins started since the last poll (by anyone: plugins.json, the operator,
    /// this watch), as they were when each start was announced: a file already reloaded is not
    /// reloaded again, and one replaced right after a start is still noticed.
    private let started: StartedLibraries

    init(manager: PluginManager, logger: Logger, started: StartedLibraries) {
        self.manager = manager
        self.logger = logger
        self.started = started
    }

    mutating func poll() async {
        let statuses = await manager.statuses()
        let running = Dictionary(statuses.compactMap { status -> (String, String)? in
            if case .running = status.state { (status.name, status.library) } else { nil }
        }, uniquingKeysWith: { first, _ in first })
        // An isolated plugin's library is never loaded into the host, not even to check it.
        let isolated = Set(statuses.filter { $0.processID != nil }.map(\.name))
        let fresh = started.take()
        tracked = tracked.filter { name, file in running[name] == file.path && fresh[name] == nil }

        for (name, path) in running.sorted(by: { $0.key < $1.key }) {
            let now = LibraryFileIdentity(path: path)
            var file: Tracked
            if let known = tracked[name] {
                file = known
            } else {
                // Started since the last poll: the file as it was then; else (running before this
                // watch began) as it is now.
                let announced = fresh[name].flatMap { $0.path == path ? $0.identity : nil }
                file = Tracked(path: path, loaded: announced ?? now, pending: nil)
                logger.debug("watching the library of plugin \(name) for replacement: \(path)")
            }
            // Unchanged, or gone (a rename in progress; the plugin runs on): nothing to load.
            guard let now, now != file.loaded else {
                file.pending = nil
                tracked[name] = file
                continue
            }
            // Changed since the last poll: wait one more to see that it has settled.
            guard file.pending == now else {
                file.pending = now
                tracked[name] = file
                continue
            }
            tracked[name] = Tracked(path: path, loaded: now, pending: nil)
            await reload(name, path: path, isolated: isolated.contains(name))
        }
    }

    private func reload(_ name: String, path: String, isolated: Bool) async {
        if !isolated, case .failure(let refusal) = PluginLoader.load(path: path, api: HostRuntime.apiTable) {
            logger.error("the library of plugin \(name) was replaced, but the new file is refused: \(refusal.cause). Fix: \(refusal.fix). \(name) keeps running its previous code")
            return
        }
        logger.notice("the library of plugin \(name) was replaced (\(path)); reloading \(name)")
        switch await manager.restart(name, reason: "its library file was replaced") {
        case .restarted:
            logger.notice("plugin \(name) reloaded from its replaced library")
        case .refused(let refusal):
            logger.error("plugin \(name) was stopped to load its replaced library, but its start was refused: \(refusal.description)")
        case .notConfigured:
            break  // plugins.json disabled it meanwhile: nothing runs to reload
        }
    }
}

/// The library files of plugins started, each looked at when its start is announced; filled from
/// the lifecycle stream and emptied by each poll.
final class StartedLibraries: Sendable {
    private let files = Mutex<[String: (path: String, identity: LibraryFileIdentity?)]>([:])

    func record(plugin: String, library path: String) {
        let identity = LibraryFileIdentity(path: path)
        files.withLock { $0[plugin] = (path, identity) }
    }

    func take() -> [String: (path: String, identity: LibraryFileIdentity?)] {
        files.withLock { files in defer { files.removeAll() }; return files }
    }
}
