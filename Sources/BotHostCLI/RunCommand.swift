import ArgumentParser
import BotHost
import Foundation
import Logging
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the bot: connect to Discord, load the enabled plugins, apply plugins.json changes live."
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Do not read console commands from standard input.")
    var noConsole = false

    @Flag(name: .long, help: "Stop when standard input ends (for scripted runs).")
    var exitOnEOF = false

    @OptionGroup var discord: DiscordOptions

    func run() async throws {
        let host = try HostBootstrap(locations: locations)
        let settings: DiscordSettings?
        do {
            settings = try DiscordSettings.resolve(tokenFile: discord.tokenFile, apiURL: discord.apiURL, gatewayURL: discord.gatewayURL,
                                                   commandGuilds: host.file.host.commandGuilds)
        } catch {
            say("\(error)")
            throw ExitCode(78)
        }
        // Read once; from here on only the REST client holds it. No plugin can find it in the environment.
        DiscordSettings.removeTokenFromEnvironment()
        if settings == nil {
            host.logger.notice("no DISCORD_TOKEN (or --token-file): running without Discord. `bothost sandbox` runs against a local Discord")
        }
        try await host.serve(discord: settings, console: noConsole ? nil : .local, exitOnEOF: exitOnEOF)
    }
}

/// Where a bot's connection to Discord comes from.
struct DiscordOptions: ParsableArguments {
    @Option(name: .long, help: "A file holding the bot token (default: the DISCORD_TOKEN environment variable).")
    var tokenFile: String?

    @Option(name: .long, help: "Discord's REST base URL (default: DISCORD_API_URL, else https://discord.com/api/v10).")
    var apiURL: String?

    @Option(name: .long, help: "The gateway URL (default: DISCORD_GATEWAY_URL, else what GET /gateway/bot says).")
    var gatewayURL: String?
}

/// What `run` and `sandbox` share: plugins.json, its folders, logging and the host's parts.
struct HostBootstrap {
    let configPath: String
    let file: PluginsFile
    let layout: HostLayout
    let parts: HostParts
    let logger: Logger
    /// Claimed before anything else touches the data directory: one host per data directory.
    let control: ControlSocket

    /// `extraOwners`: users treated as owners for this run only (the sandbox's simulated user).
    init(locations: LocationOptions, extraOwners: [UInt64] = []) throws {
        configPath = absolutePath(locations.config)
        do {
            var loaded = try PluginsFileLoader.load(contentsOf: configPath)
            loaded.host.owners += extraOwners
            file = loaded
        } catch {
            say(error.description)
            throw ExitCode(78)  // EX_CONFIG
        }
        layout = HostLayout(configPath: configPath, settings: file.host, pluginsDir: locations.pluginsDir, dataDir: locations.dataDir)
        let level = Logger.Level(rawValue: file.host.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        logger = Logger(label: "bothost")
        do {
            control = try ControlSocket.claim(dataDirectory: layout.dataDirectory)
        } catch {
            logger.critical("\(error)")
            if case .cannotCreate = error { throw ExitCode(73) }  // EX_CANTCREAT
            throw ExitCode(78)  // EX_CONFIG: another host on this data directory, or a path too long
        }
        do {
            parts = try HostParts(settings: file.host, dataDirectory: layout.dataDirectory, pluginsDirectory: layout.pluginsDirectory,
                                  configDirectory: layout.configDirectory, logger: logger)
        } catch {
            control.close()
            logger.critical("\(error)")
            throw ExitCode(73)  // EX_CANTCREAT
        }
    }

    var runtime: HostRuntime { parts.runtime }
    var manager: PluginManager { parts.manager }

    /// Runs until SIGTERM/SIGINT (or `quit`), then stops every plugin and the connection.
    func serve(discord: DiscordSettings?, console: Console.Mode?, exitOnEOF: Bool) async throws {
        // The state dump's handler comes with its companion, once the plugins have started; until
        // then a USR1 must be ignored, not take its default action (ending the process).
        signal(SIGUSR1, SIG_IGN)
        if !HostMemoryProtection.apply() {
            logger.warning("could not mark the host not dumpable (PR_SET_DUMPABLE): processes of the same user may read its memory")
        }
        let (runtime, manager, logger, control) = (self.runtime, self.manager, self.logger, self.control)
        defer { control.close() }
        var companions: [BotHostService.Companion] = [
            { _ in
                Console.printStatuses(await manager.statuses())
                await BotHostService.waitUntilCancelled()
            },
            // `bothost plugins list|reload` from another terminal; the socket goes with the host.
            { _ in
                control.serve(ControlAnswers(manager: manager), logger: logger)
                await BotHostService.waitUntilCancelled()
                control.close()
            },
            { connection in
                let dumper = StateDumpSignal(runtime: runtime, connection: connection, logger: logger)
                await BotHostService.waitUntilCancelled()
                dumper.cancel()
            },
        ]
        if let console {
            companions.append { connection in
                let quit = await Console(runtime: runtime, manager: manager, mode: console, connection: connection).run()
                // End of input without `quit` (e.g. stdin closed): keep serving unless asked not to.
                if !quit && !exitOnEOF { await BotHostService.waitUntilCancelled() }
            }
        }
        let service = BotHostService(configPath: configPath, initial: file, parts: parts,
                                     discord: discord, companions: companions, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch let failure as BotHostService.Failure {
            if case .discordUnavailable = failure { throw ExitCode(69) }  // EX_UNAVAILABLE
        }
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
