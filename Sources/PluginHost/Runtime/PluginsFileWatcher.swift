import BotHostCore
import Foundation
import Logging

/// Watches plugins.json and applies changes live. Polls the file's bytes (editors often replace a
/// file by rename, which file-descriptor watches miss). An invalid file is reported and ignored:
/// the plugins keep running as they are until the file is fixed. Each poll also looks at the
/// library files of the running plugins and reloads a plugin whose file was replaced
/// (`LibraryReplacementWatch`).
public final class PluginsFileWatcher: Sendable {
    private let path: String
    private let manager: PluginManager
    private let logger: Logger
    private let intervalMs: Int

    public init(path: String, manager: PluginManager, logger: Logger, intervalMs: Int = 1000) {
        self.path = path
        self.manager = manager
        self.logger = logger
        self.intervalMs = intervalMs
    }

    /// Runs until the task is cancelled. `initial` is the content already applied.
    public func run(initial: [UInt8]?) async {
        let started = StartedLibraries()
        let lifecycle = manager.runtime.events.stream()
        let following = Task {
            for await event in lifecycle {
                if case .pluginStarted(let plugin) = event { started.record(plugin: plugin.plugin, library: plugin.library) }
            }
        }
        defer { following.cancel() }
        var libraries = LibraryReplacementWatch(manager: manager, logger: logger, started: started)
        // The files of the plugins already running, as they are now: a replacement from here on is seen.
        await libraries.poll()
        var last = initial
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(intervalMs))
            if Task.isCancelled { break }
            if let bytes = FileManager.default.contents(atPath: path).map(Array.init) {
                if bytes != last {
                    last = bytes
                    await reload(bytes)
                }
            } else {
                if last != nil { logger.error("\(path) disappeared; keeping the plugins as they are until it is back") }
                last = nil
            }
            await libraries.poll()
        }
    }

    /// Parses and applies new content; returns the error when the file is invalid.
    @discardableResult
    public func reload(_ bytes: [UInt8]) async -> ConfigError? {
        do {
            let file = try PluginsFileLoader.parse(bytes, file: path)
            logger.info("\(path) changed; applying")
            await manager.apply(file)
            return nil
        } catch {
            logger.error("\(error.description) — ignoring this version; the plugins keep running as they are")
            return error
        }
    }
}
