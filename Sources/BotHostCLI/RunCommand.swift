import ArgumentParser
import BotHost
import Foundation
import Logging
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the host: load the enabled plugins, apply plugins.json changes live, read console commands."
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Do not read console commands from standard input.")
    var noConsole = false

    @Flag(name: .long, help: "Stop when standard input ends (for scripted runs).")
    var exitOnEOF = false

    func run() async throws {
        let configPath = absolutePath(locations.config)
        let file: PluginsFile
        do {
            file = try PluginsFileLoader.load(contentsOf: configPath)
        } catch {
            say(error.description)
            throw ExitCode(78)  // EX_CONFIG
        }
        let layout = HostLayout(configPath: configPath, settings: file.host, pluginsDir: locations.pluginsDir, dataDir: locations.dataDir)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: file.host.logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "bothost")
        let database: HostDatabase
        do {
            database = try HostDatabase(directory: layout.dataDirectory)
        } catch {
            logger.critical("cannot open the data directory: \(error)")
            throw ExitCode(73)  // EX_CANTCREAT
        }
        let runtime = HostRuntime(settings: file.host, database: database, logger: logger)
        let manager = PluginManager(runtime: runtime, pluginsDirectory: layout.pluginsDirectory, configDirectory: layout.configDirectory)
        let host = HostService(configPath: configPath, initial: file, runtime: runtime, manager: manager,
                               console: !noConsole, exitOnEOF: exitOnEOF, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: host, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// Runs the host until a signal (or the end of a scripted console) and then stops every plugin.
struct HostService: Service {
    let configPath: String
    let initial: PluginsFile
    let runtime: HostRuntime
    let manager: PluginManager
    let console: Bool
    let exitOnEOF: Bool
    let logger: Logger

    func run() async throws {
        let statuses = await manager.apply(initial)
        Console.printStatuses(statuses)
        let watcher = PluginsFileWatcher(path: configPath, manager: manager, logger: logger)
        let initialBytes = FileManager.default.contents(atPath: configPath).map(Array.init)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run(initial: initialBytes) }
            if console {
                group.addTask {
                    let quit = await Console(runtime: runtime, manager: manager).run()
                    // End of input without `quit` (e.g. stdin closed): keep serving unless asked not to.
                    if !quit && !exitOnEOF {
                        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                    }
                }
            }
            group.addTask { try? await gracefulShutdown() }
            // Whichever ends first — a shutdown signal, or the console script — ends the host.
            await group.next()
            group.cancelAll()
        }
        logger.info("stopping plugins")
        await manager.stopAll()
        await runtime.shutdown()
    }
}

/// Resolves the folders from flags, then plugins.json's host section, then defaults beside the file.
struct HostLayout {
    let configDirectory: String
    let pluginsDirectory: String
    let dataDirectory: String

    init(configPath: String, settings: HostSettings, pluginsDir: String?, dataDir: String?) {
        configDirectory = URL(fileURLWithPath: configPath).deletingLastPathComponent().path
        func resolve(_ path: String, base: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
        }
        let cwd = FileManager.default.currentDirectoryPath
        pluginsDirectory = pluginsDir.map { resolve($0, base: cwd) }
            ?? resolve(settings.pluginsDirectory ?? "plugins", base: configDirectory)
        dataDirectory = dataDir.map { resolve($0, base: cwd) }
            ?? resolve(settings.dataDirectory ?? "data", base: configDirectory)
    }
}

func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardizedFileURL.path
}
