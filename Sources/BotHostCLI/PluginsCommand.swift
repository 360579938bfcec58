import ArgumentParser
import BotHost
import Foundation

struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "Inspect and edit plugins.json, check a plugin library, or reload a plugin of the running host.",
        subcommands: [List.self, Reload.self, Enable.self, Disable.self, Check.self, New.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the plugins: live from the host running on the data directory, else check plugins.json offline.")
        @OptionGroup var locations: LocationOptions

        func run() async throws {
            let (path, file, layout) = try locations.loadLayout()
            switch Result(catching: { () throws(ControlClient.Failure) in try ControlClient.send(.list, dataDirectory: layout.dataDirectory) }) {
            case .success(let reply):
                guard reply["ok"]?.boolValue == true else {
                    say(reply["message"]?.stringValue ?? "the host refused the request")
                    throw ExitCode(1)
                }
                say("Live, from the host running on \(layout.dataDirectory):")
                say(reply["message"]?.stringValue ?? "")
                return
            case .failure(.noHost):
                say("No host is running on \(layout.dataDirectory); checking \(path) offline:")
            case .failure(let failure):
                say("\(failure)")
                throw ExitCode(1)
            }
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

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reload a plugin of the running host: stop it and start it again from plugins.json, its library as it is now.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The plugin's name in plugins.json.") var name: String

        func run() async throws {
            let (_, _, layout) = try locations.loadLayout()
            let reply: JSONObject
            do { reply = try ControlClient.send(.reload(plugin: name), dataDirectory: layout.dataDirectory) } catch {
                say("\(error)")
                if case .noHost = error { throw ExitCode(69) }  // EX_UNAVAILABLE
                throw ExitCode(1)
            }
            say(reply["message"]?.stringValue ?? reply["error"]?.stringValue ?? "the host gave no outcome")
            if reply["ok"]?.boolValue != true { throw ExitCode(1) }
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

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new plugin that builds as it stands: it reads its config and answers a slash command.",
            discussion: """
                C: NAME.c and a Makefile against bothost_plugin.h (found beside this bothost: PREFIX/include/bothost \
                when installed, Sources/PluginAPI/include in the source tree; --include overrides). \
                Swift: a package over PluginKit from the BotHost source tree (--package overrides).
                Prints the build command and the plugins.json entry; --config adds the entry to that file.
                """)
        @Argument(help: "The plugin's name: 1–64 of a-z, 0-9, '_' and '-'.") var name: String
        @Option(help: "c or swift.") var lang: PluginScaffold.Language
        @Option(help: "Where to write it (default: ./NAME); must not exist or be empty.") var directory: String?
        @Option(help: "Add the entry to this plugins.json (created when missing).") var config: String?
        @Option(name: .customLong("include"), help: "C: the directory holding bothost_plugin.h.") var includeDirectory: String?
        @Option(name: .customLong("package"), help: "Swift: the BotHost source tree that provides PluginKit.") var packageRoot: String?

        func run() async throws {
            do {
                let scaffold = try PluginScaffold(name: name, language: lang,
                                                  directory: URL(fileURLWithPath: absolutePath(directory ?? name)))
                let executable = PluginScaffold.currentExecutable
                let files: [String: String]
                let build: String
                switch lang {
                case .c:
                    guard let include = includeDirectory.map(absolutePath) ?? PluginScaffold.headerDirectory(forExecutable: executable),
                          FileManager.default.fileExists(atPath: include + "/bothost_plugin.h") else {
                        throw PluginScaffold.Failure(description: "bothost_plugin.h was not found beside \(executable.path); "
                                                     + "pass --include DIR (the directory that holds it)")
                    }
                    files = scaffold.cFiles(includeDirectory: include)
                    build = scaffold.buildCommand(includeDirectory: include)
                case .swift:
                    guard let root = packageRoot.map({ URL(fileURLWithPath: absolutePath($0)) })
                            ?? PluginScaffold.sourceTree(above: executable.deletingLastPathComponent()),
                          FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/PluginKit").path) else {
                        throw PluginScaffold.Failure(description: "a Swift plugin depends on PluginKit from the BotHost source tree, "
                                                     + "which was not found above \(executable.path); pass --package DIR")
                    }
                    files = scaffold.swiftFiles(packageRoot: root)
                    build = scaffold.buildCommand(includeDirectory: "")
                }
                // A name plugins.json already has is refused before anything is written.
                if let config, FileManager.default.fileExists(atPath: absolutePath(config)),
                   try PluginsFileLoader.load(contentsOf: absolutePath(config)).plugins.contains(where: { $0.name == name }) {
                    throw PluginScaffold.Failure(description: "\(config) already has a plugin named \"\(name)\"; choose another name "
                                                 + "(nothing was written)")
                }
                try scaffold.write(files: files)
                let entryText = scaffold.entryJSON.prettyText
                say("""
                    Wrote the \(lang == .c ? "C" : "Swift") plugin "\(name)" in \(scaffold.directory.path):
                    \(files.keys.sorted().map { "  " + $0 }.joined(separator: "\n"))
                    Build (in that directory):
                      \(build)
                    Check:
                      bothost plugins check \(scaffold.libraryPath)
                    """)
                if let config {
                    try PluginsFileEditor.addPlugin(scaffold.entry, in: absolutePath(config))
                    say("Added \"\(name)\" to \(config). Build the library before the host reads that file: a running host applies it at once.")
                } else {
                    say("plugins.json entry (add it to \"plugins\", or pass --config FILE):\n\(entryText.dropLast())")
                }
            } catch let failure as PluginScaffold.Failure {
                say(failure.description)
                throw ExitCode(1)
            } catch let error as ConfigError {
                say(error.description)
                throw ExitCode(1)
            }
        }
    }
}

func resolveLibrary(_ library: String, layout: HostLayout) -> String {
    LibraryPath.resolve(library, pluginsDirectory: layout.pluginsDirectory, configDirectory: layout.configDirectory)
}

extension LocationOptions {
    /// plugins.json (refused with exit 78 and the error when it is invalid) and the folders it and
    /// the flags name.
    func loadLayout() throws -> (path: String, file: PluginsFile, layout: HostLayout) {
        let path = absolutePath(config)
        let file: PluginsFile
        do { file = try PluginsFileLoader.load(contentsOf: path) } catch {
            say(error.description)
            throw ExitCode(78)
        }
        return (path, file, HostLayout(configPath: path, settings: file.host, pluginsDir: pluginsDir, dataDir: dataDir))
    }
}
