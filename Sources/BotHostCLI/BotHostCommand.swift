import ArgumentParser
import BotHost

@main
struct BotHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bothost",
        abstract: "A Discord bot host whose features live in plugins (.so files loaded through one C ABI).",
        version: HostVersion.current,
        subcommands: [RunCommand.self, SandboxCommand.self, EmulatorCommand.self, PluginsCommand.self, PluginHostCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Where things are, shared by the subcommands.
struct LocationOptions: ParsableArguments {
    @Option(name: .long, help: "The plugins file.")
    var config: String = "plugins.json"

    @Option(name: .long, help: "Folder of plugin libraries (default: host.pluginsDirectory, else 'plugins' beside the plugins file).")
    var pluginsDir: String?

    @Option(name: .long, help: "Folder for durable state (default: host.dataDirectory, else 'data' beside the plugins file).")
    var dataDir: String?
}
