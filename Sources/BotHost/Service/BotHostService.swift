import BotHostCore
import DiscordClient
import PluginHost
import Foundation
import Logging
import ServiceLifecycle

/// The whole host as a ServiceLifecycle `Service`, built from explicit parts (`HostParts`): it
/// connects to Discord (when given settings), applies plugins.json, follows its edits, and on
/// graceful shutdown stops every plugin, then the connection, then the runtime.
///
/// The `bothost` executable runs it in a `ServiceGroup`; an embedding program or a test can do
/// the same. Companions run beside the host (the CLI's console, state-dump signal and control
/// socket): the first one to return ends the host, as a shutdown signal does.
///
/// Threading: `run()` is called once; everything it starts is cancelled before it returns.
public struct BotHostService: Service {
    /// Runs beside the host with its Discord connection (nil without Discord). Returning ends the host.
    public typealias Companion = @Sendable (DiscordConnection?) async -> Void

    /// Why the host could not run.
    public enum Failure: Error, CustomStringConvertible {
        /// Discord refused or could not be reached (bad URL, bad token, disallowed intents).
        case discordUnavailable(String)

        public var description: String {
            switch self {
            case .discordUnavailable(let why): "cannot connect to Discord: \(why)"
            }
        }
    }

    let configPath: String
    let initial: PluginsFile
    let runtime: HostRuntime
    let manager: PluginManager
    let discord: DiscordSettings?
    let companions: [Companion]
    let logger: Logger

    public init(configPath: String, initial: PluginsFile, parts: HostParts,
                discord: DiscordSettings?, companions: [Companion] = [], logger: Logger) {
        self.configPath = configPath
        self.initial = initial
        self.runtime = parts.runtime
        self.manager = parts.manager
        self.discord = discord
        self.companions = companions
        self.logger = logger
    }

    public func run() async throws {
        // The connection (and so REST) exists before any plugin starts: REST needs only the token,
        // so a plugin's `start` may call Discord. The gateway connects once the plugins have
        // declared their intents; `host.gateway.ready` tells plugins when it is up.
        let connection: DiscordConnection?
        if let discord {
            do {
                connection = try DiscordConnection(settings: discord, runtime: runtime)
            } catch {
                logger.critical("cannot connect to Discord: \(error)")
                await runtime.shutdown()
                throw Failure.discordUnavailable("\(error)")
            }
        } else {
            connection = nil
        }
        await manager.apply(initial)
        let watcher = PluginsFileWatcher(path: configPath, manager: manager, logger: logger)
        let initialBytes = FileManager.default.contents(atPath: configPath).map(Array.init)
        let logger = self.logger
        // The gateway connects beside the companions and the file watcher: an outage at start-up
        // is retried with backoff while the host stays responsive, and a signal still stops it.
        let refusal = await withTaskGroup(of: String?.self) { group in
            group.addTask { await watcher.run(initial: initialBytes); return nil }
            if let live = connection {
                let intents = await manager.gatewayIntents
                group.addTask {
                    do {
                        try await live.start(intents: intents)
                        logger.info("connected to Discord: \(live.shardStates.count) shard(s) ready")
                    } catch is CancellationError {
                        return nil
                    } catch {
                        logger.critical("cannot connect to Discord: \(error)")
                        return "\(error)"
                    }
                    await Self.waitUntilCancelled()
                    return nil
                }
            }
            for companion in companions {
                group.addTask { await companion(connection); return nil }
            }
            group.addTask { try? await gracefulShutdown(); return nil }
            // Whichever ends first — a shutdown signal, a companion, or Discord refusing the bot —
            // ends the host.
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        logger.info("stopping plugins")
        await manager.stopAll()
        await connection?.stop()
        await runtime.shutdown()
        if let refusal { throw Failure.discordUnavailable(refusal) }
    }

    /// Suspends until the task is cancelled (a companion that only ends with the host).
    public static func waitUntilCancelled() async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }
}
