@testable import BotHost
import Foundation
import Testing

/// plugins.json on disk under a running test host, read by the host's real watcher
/// (`PluginsFileWatcher`, as `bothost run` runs it): a test rewrites the file and waits for the
/// host's verdict on one plugin's entry, then for what the edit must bring. The host must log into
/// `hostLog` (`TestHost(logger: hostLog.logger())`), where those verdicts are written.
final class WatchedPluginsFile: Sendable {
    let path: String
    let hostLog: CapturedLog
    private let watching: Task<Void, Never>

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes `plugins` (the "plugins" array the host already runs) and starts watching the file.
    init(host: TestHost, hostLog: CapturedLog, plugins: String) throws {
        path = host.directory.appendingPathComponent("plugins.json").path
        self.hostLog = hostLog
        let text = Self.file(plugins)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let watcher = PluginsFileWatcher(path: path, manager: host.manager, logger: hostLog.logger("watcher"), intervalMs: 20)
        let initial = Array(text.utf8)
        watching = Task { await watcher.run(initial: initial) }
    }

    deinit { watching.cancel() }

    /// Rewrites the file (written whole and renamed into place, as editors do) and waits until the
    /// host has dealt with `plugin`'s changed entry; returns the host's line saying how.
    @discardableResult
    func edit(plugins: String, awaiting plugin: String) async throws -> String {
        let before = verdicts(on: plugin).count
        try Self.file(plugins).write(toFile: path, atomically: true, encoding: .utf8)
        guard await eventually({ self.verdicts(on: plugin).count > before }) else {
            throw Failure(description: "the host never took up the edit of \(plugin): \(hostLog.all.suffix(20))")
        }
        return verdicts(on: plugin)[before]
    }

    /// The host's lines about new configs of `plugin`: applied live, refused, or restarted for it.
    func verdicts(on plugin: String) -> [String] {
        hostLog.all.filter { line in
            line.contains("plugin \(plugin) applied its new config") || line.contains("plugin \(plugin) refused its new config")
                || line.contains("stopping plugin \(plugin): its config changed")
        }
    }

    private static func file(_ plugins: String) -> String { #"{"plugins": \#(plugins)}"# }
}

extension TestHost {
    /// How many times `plugin` has started (its `host.plugin.started` events seen so far). A test
    /// that counts restarts first waits for the first start's event: the tap is asynchronous.
    func starts(of plugin: String) -> Int {
        events("host.plugin.started").filter { payload in
            let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any]
            return object?["plugin"] as? String == plugin
        }.count
    }
}
