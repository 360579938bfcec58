import Foundation
import Synchronization

/// The host as one plugin instance sees it: the `bothost_plugin *` plus the host's function table,
/// with small typed facades (`log`, `timers`, `bus`, `commands`, `storage`, `http`, `cleanup`).
///
/// Host calls are safe from any thread and never block on the network; callbacks registered through
/// the facades run on the plugin's executor, isolated to the plugin actor.
public final class PluginHost: Sendable {
    nonisolated(unsafe) let plugin: OpaquePointer  // host-owned, valid while the plugin lives
    let table: HostTable
    /// The plugin's serial executor; a `Plugin` actor reports it as its `unownedExecutor`.
    public let executor: PluginExecutor
    /// The plugin actor, once `init(host:)` returned; weak, since the actor owns its host.
    private let actor = Mutex<WeakActor>(WeakActor())

    init(plugin: OpaquePointer, api: UnsafePointer<bothost_host_api>) {
        self.plugin = plugin
        self.table = HostTable(api)
        self.executor = PluginExecutor(plugin: plugin, table: table)
    }

    public var log: Log { Log(host: self) }
    public var timers: Timers { Timers(host: self) }
    public var bus: Bus { Bus(host: self) }
    public var commands: Commands { Commands(host: self) }
    public var storage: Storage { Storage(host: self) }
    public var http: HTTP { HTTP(host: self) }
    public var discord: Discord { Discord(host: self) }
    public var cleanup: Cleanup { Cleanup(host: self) }
    public var voice: Voice { Voice(host: self) }

    /// The host's version string, e.g. "0.1.0".
    public var hostVersion: String {
        table.api.host_version.map { String(cString: $0) } ?? ""
    }

    /// The host's ABI version: the major equals the plugin's, the minor is at least the plugin's
    /// `requiredABIMinor` (and may be older than the minor PluginKit was built with).
    public var abiVersion: (major: UInt32, minor: UInt32) { (table.api.abi_major, table.api.abi_minor) }

    /// The host clock in milliseconds since the Unix epoch (tests may run it on a manual clock).
    public var nowMilliseconds: Int64 {
        guard table.has(\.now_ms), let now = table.api.now_ms else {
            return Int64(Date().timeIntervalSince1970 * 1000)
        }
        return now(plugin)
    }

    /// The host clock as a Date.
    public var now: Date { Date(timeIntervalSince1970: Double(nowMilliseconds) / 1000) }

    // MARK: plumbing shared by the facades

    var isolation: (any Actor)? {
        get { actor.withLock { $0.actor } }
        set { actor.withLock { $0.actor = newValue } }
    }

    /// Throws `PluginError(status, "<what>: <last_error>")` unless `status` is BOTHOST_OK.
    func check(_ status: bothost_status, _ what: String) throws {
        guard status != StatusCode.ok.rawValue else { return }
        let detail = table.lastError()
        throw PluginError(StatusCode(rawValue: status), detail.isEmpty ? what : "\(what): \(detail)")
    }
}

/// Holds the plugin actor without keeping it alive.
private struct WeakActor {
    weak var actor: (any Actor)?
}
