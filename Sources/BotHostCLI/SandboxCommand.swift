import ArgumentParser
import BotHost
import DiscordEmulator
import Foundation

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the bot against a local Discord (no account, no network): a guild, #general, a voice channel and you."
    )

    @OptionGroup var locations: LocationOptions

    @Flag(name: .long, help: "Do not read from standard input.")
    var noConsole = false

    @Flag(name: .long, help: "Stop when standard input ends (for scripted demos and tests).")
    var exitOnEOF = false

    func run() async throws {
        var configuration = EmulatorConfiguration()
        // The simulated user owns the sandbox bot, so admin commands can be tried.
        let host = try HostBootstrap(locations: locations, extraOwners: [3000])
        configuration.privilegedIntentsAllowed = ~0  // the sandbox grants every intent a plugin asks for
        let emulator = DiscordEmulator(configuration)
        try await emulator.start()
        say("Local Discord on \(emulator.apiBaseURL) — you are sandbox-user in #general of \"Sandbox\".")
        say("Type a message, or a slash command such as /count add:5. 'help' lists console commands.")
        let settings = DiscordSettings(token: DiscordToken(configuration.token), apiBaseURL: emulator.apiBaseURL,
                                       gatewayURL: emulator.gatewayURL, commandGuilds: [configuration.guilds.first?.id ?? 2000])
        let channel = SandboxChannel(emulator: emulator, runtime: host.runtime)
        let watcher = Task { await channel.watch() }
        defer { watcher.cancel() }
        do {
            try await host.serve(discord: settings, console: noConsole ? nil : .sandbox(channel), exitOnEOF: exitOnEOF)
        } catch {
            await emulator.shutdown()
            throw error
        }
        channel.printChanges()
        await emulator.shutdown()
    }
}

struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run the local Discord on its own, for another bot or tool to connect to."
    )

    @Option(name: .long, help: "Port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    func run() async throws {
        let emulator = DiscordEmulator(EmulatorConfiguration())
        try await emulator.start(port: port)
        say("""
            Local Discord running.
              DISCORD_API_URL=\(emulator.apiBaseURL)
              DISCORD_GATEWAY_URL=\(emulator.gatewayURL)
              DISCORD_TOKEN=\(EmulatorConfiguration().token)   (the emulator's own test token, not a secret)
            Ctrl-C to stop.
            """)
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
