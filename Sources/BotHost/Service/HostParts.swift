import BotHostCore
import PluginHost
import Logging

/// The host's parts, built from plugins.json's host section and its folders: the database, the
/// runtime every plugin shares, and the plugin manager. The `bothost` executable and the tests
/// assemble a host the same way, through this; `BotHostService` runs it.
public struct HostParts: Sendable {
    public let runtime: HostRuntime
    public let manager: PluginManager

    /// Why the parts could not be built.
    public enum Failure: Error, CustomStringConvertible {
        /// The data directory cannot hold the database (missing permission, a file in the way, a
        /// database another process has locked).
        case dataDirectory(path: String, reason: String)

        public var description: String {
            switch self {
            case .dataDirectory(let path, let reason): "cannot open the data directory \(path): \(reason)"
            }
        }
    }

    /// `pluginsDirectory` is where bare library names are looked up; `configDirectory` (the folder
    /// of plugins.json) is what relative library paths are relative to.
    public init(settings: HostSettings, dataDirectory: String, pluginsDirectory: String, configDirectory: String,
                clock: any HostClock = SystemClock(), logger: Logger) throws(Failure) {
        let database: HostDatabase
        do {
            database = try HostDatabase(directory: dataDirectory)
        } catch {
            throw .dataDirectory(path: dataDirectory, reason: "\(error)")
        }
        runtime = HostRuntime(settings: settings, database: database, clock: clock, logger: logger)
        manager = PluginManager(runtime: runtime, pluginsDirectory: pluginsDirectory, configDirectory: configDirectory)
    }
}
