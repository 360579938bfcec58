import ArgumentParser
import BotHost
import Foundation

/// `bothost plugins new`: the files of a plugin that builds as it stands and that `bothost plugins
/// check` accepts at once — in C, one source file and a Makefile against the ABI header; in Swift,
/// a package over PluginKit. Either plugin reads a "greeting" from its config and answers a slash
/// command named after it, so the skeleton already shows the two things every plugin does.
struct PluginScaffold {
    enum Language: String, ExpressibleByArgument, CaseIterable {
        case c, swift
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let name: String
    let language: Language
    /// Absolute; created by `write()`, which refuses one that exists and is not empty.
    let directory: URL

    init(name: String, language: Language, directory: URL) throws(Failure) {
        guard PluginEntry.isValidName(name) else {
            throw Failure(description: "\"\(name)\" is not a plugin name: use 1–64 characters of a-z, 0-9, '_' or '-' "
                          + "(it names the plugin in plugins.json, its library and its slash command), e.g. \"greeter\"")
        }
        self.name = name
        self.language = language
        self.directory = directory.standardizedFileURL
    }

    /// The slash command: Discord allows 1–32 characters.
    var commandName: String { String(name.prefix(32)) }

    /// Where the built library will be, absolute (the plugins.json entry names it so).
    var libraryPath: String {
        switch language {
        case .c: directory.appendingPathComponent("lib\(name).so").path
        case .swift: directory.appendingPathComponent(".build/release/lib\(swiftProduct).so").path
        }
    }

    /// The plugins.json entry that loads the built library.
    var entry: PluginEntry {
        PluginEntry(name: name, library: libraryPath, config: ["greeting": "Hello"])
    }

    /// The one shell command, run in `directory`, that builds the library.
    func buildCommand(includeDirectory: String) -> String {
        switch language {
        case .c: "cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I \(shellQuoted(includeDirectory)) -o lib\(name).so \(name).c"
        case .swift: "swift build -c release"
        }
    }

    /// The entry as it is written in plugins.json.
    var entryJSON: JSONValue {
        ["name": .string(name), "library": .string(libraryPath), "config": entry.config]
    }

    // MARK: writing

    /// Writes the files; refuses to touch an existing, non-empty directory.
    func write(files: [String: String]) throws(Failure) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            let contents = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? ["?"]
            guard isDirectory.boolValue, contents.isEmpty else {
                throw Failure(description: "\(directory.path) already exists; choose another --directory or remove it first "
                              + "(nothing was written)")
            }
        }
        do {
            for (relative, text) in files.sorted(by: { $0.key < $1.key }) {
                let file = directory.appendingPathComponent(relative)
                try manager.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
            }
        } catch {
            throw Failure(description: "could not write the plugin into \(directory.path): \(error.localizedDescription)")
        }
    }

    // MARK: finding the SDK

    /// The directory holding bothost_plugin.h for this `bothost`: the installed one
    /// (PREFIX/include/bothost beside PREFIX/bin/bothost) or the source tree's (Sources/PluginAPI/include
    /// above .build/…/bothost).
    static func headerDirectory(forExecutable executable: URL) -> String? {
        let binDirectory = executable.deletingLastPathComponent()
        let installed = binDirectory.deletingLastPathComponent().appendingPathComponent("include/bothost")
        if FileManager.default.fileExists(atPath: installed.appendingPathComponent("bothost_plugin.h").path) {
            return installed.path
        }
        return sourceTree(above: binDirectory).map { $0.appendingPathComponent("Sources/PluginAPI/include").path }
    }

    /// The BotHost source tree a `bothost` built from it sits in (its .build folder is inside).
    static func sourceTree(above directory: URL) -> URL? {
        var candidate = directory
        while candidate.path != "/" {
            let header = candidate.appendingPathComponent("Sources/PluginAPI/include/bothost_plugin.h")
            let kit = candidate.appendingPathComponent("Sources/PluginKit")
            if FileManager.default.fileExists(atPath: header.path), FileManager.default.fileExists(atPath: kit.path) {
                return candidate
            }
            candidate = candidate.deletingLastPathComponent()
        }
        return nil
    }

    /// This process's executable, symlinks resolved.
    static var currentExecutable: URL {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: link).resolvingSymlinksInPath()
    }

    // MARK: templates

    /// The Swift product and module name: a Swift identifier.
    var swiftProduct: String { name.replacingOccurrences(of: "-", with: "_") }

    /// NAME.c and its Makefile.
    func cFiles(includeDirectory: String) -> [String: String] {
        let build = buildCommand(includeDirectory: includeDirectory)
        let makefile = """
            # Builds lib\(name).so, the "\(name)" BotHost plugin: `make`, then `bothost plugins check ./lib\(name).so`.
            # BOTHOST_INCLUDE is the directory of bothost_plugin.h (make BOTHOST_INCLUDE=… to use another).
            BOTHOST_INCLUDE ?= \(includeDirectory)

            lib\(name).so: \(name).c $(BOTHOST_INCLUDE)/bothost_plugin.h
            \tcc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I "$(BOTHOST_INCLUDE)" -o $@ \(name).c

            clean:
            \trm -f lib\(name).so

            .PHONY: clean

            """
        return ["\(name).c": CPluginTemplate.source(name: name, command: commandName, build: build), "Makefile": makefile]
    }

    /// Package.swift and the plugin's one source file.
    func swiftFiles(packageRoot: URL) -> [String: String] {
        let manifest = """
            // swift-tools-version:6.0
            // The "\(name)" BotHost plugin: `swift build -c release`, then
            // `bothost plugins check .build/release/lib\(swiftProduct).so`.
            import PackageDescription

            let package = Package(
                name: "\(swiftProduct)",
                products: [.library(name: "\(swiftProduct)", type: .dynamic, targets: ["\(swiftProduct)"])],
                // PluginKit, the Swift SDK over the plugin ABI, from the BotHost source tree.
                dependencies: [.package(path: \(swiftLiteral(packageRoot.path)))],
                targets: [
                    .target(name: "\(swiftProduct)",
                            dependencies: [.product(name: "PluginKit", package: \(swiftLiteral(packageRoot.lastPathComponent)))],
                            path: "Sources"),
                ]
            )

            """
        return ["Package.swift": manifest, "Sources/\(swiftTypeName).swift": SwiftPluginTemplate.source(name: name, typeName: swiftTypeName, command: commandName)]
    }

    /// "my-bot_2" → "MyBot2Plugin".
    var swiftTypeName: String {
        let words = name.split(whereSeparator: { $0 == "-" || $0 == "_" })
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return (joined.first?.isNumber ?? true ? "P" + joined : joined) + "Plugin"
    }

    private func shellQuoted(_ text: String) -> String {
        text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+".contains($0) }) ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private func swiftLiteral(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
