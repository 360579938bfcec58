import ArgumentParser
import BotHost
import Foundation

struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "Inspect and edit plugins.json, or check a plugin library.",
        subcommands: [List.self, Enable.self, Disable.self, Check.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the configured plugins and check that their libraries load.")
        @OptionGroup var locations: LocationOptions

        func run() async throws {
            let path = absolutePath(locations.config)
            let file: PluginsFile
            do { file = try PluginsFileLoader.load(contentsOf: path) } catch {
                say(error.description)
                throw ExitCode(78)
            }
            let layout = HostLayout(configPath: path, settings: file.host, pluginsDir: locations.pluginsDir, dataDir: locations.dataDir)
            if file.plugins.isEmpty { say("No plugins in \(path).") }
            for entry in file.plugins {
                let library = resolveLibrary(entry.library, layout: layout)
                let state = entry.enabled ? "enabled " : "disabled"
                switch PluginLoader.load(path: library, api: HostRuntime.apiTable) {
                case .success(let loaded):
                    let d = loaded.descriptor
                    say("\(state)  \(entry.name)  \(d.version)  ABI \(d.abiMajor).\(d.abiMinor)  \(library)")
                case .failure(let refusal):
                    say("\(state)  \(entry.name)  ✘ \(refusal.cause). Fix: \(refusal.fix)")
                }
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a plugin (a running host applies it live).")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The plugin's name in plugins.json.") var name: String

        func run() async throws { try setEnabled(true) }

        func setEnabled(_ enabled: Bool) throws {
            do {
                try PluginsFileEditor.setEnabled(name, enabled, in: absolutePath(locations.config))
                say("\(name) \(enabled ? "enabled" : "disabled") in \(locations.config)")
            } catch {
                say("\(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a plugin (a running host stops it live).")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The plugin's name in plugins.json.") var name: String

        func run() async throws {
            var enable = Enable()
            enable.locations = locations
            enable.name = name
            try enable.setEnabled(false)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load a plugin library and print its descriptor, or why it is refused.")
        @Argument(help: "Path to the plugin's .so file.") var library: String

        func run() async throws {
            let path = absolutePath(library)
            switch PluginLoader.load(path: path, api: HostRuntime.apiTable) {
            case .success(let loaded):
                let d = loaded.descriptor
                say("""
                    \(path): OK
                      name:        \(d.name)
                      version:     \(d.version)
                      description: \(d.description)
                      ABI:         requires \(d.abiMajor).\(d.abiMinor) (this host offers \(PluginLoader.hostABIMajor).\(PluginLoader.hostABIMinor))
                      intents:     \(d.gatewayIntents)
                      owns:        \(([d.name] + d.ownedNames).joined(separator: ", "))
                    """)
            case .failure(let refusal):
                say(refusal.description)
                throw ExitCode(1)
            }
        }
    }
}

func resolveLibrary(_ library: String, layout: HostLayout) -> String {
    LibraryPath.resolve(library, pluginsDirectory: layout.pluginsDirectory, configDirectory: layout.configDirectory)
}
