@testable import BotHost
import Foundation
import Testing

/// `bothost plugins new`, run as a newcomer would: the real binary writes the plugin, the build
/// line it prints builds it, `bothost plugins check` accepts the library, and a host loads it, hands
/// it its config and gets its slash command answered. Child processes and the compiler run off the
/// shared test threads (Fixtures.offPool).
@Suite struct PluginScaffoldTests {
    private static var bothost: String { Fixtures.buildDirectory + "/bothost" }

    private func bothost(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await Fixtures.offPool { try Fixtures.execute(Self.bothost, arguments) }
    }

    /// The indented line after "Build (in that directory):" in the scaffold's output.
    private func buildLine(_ output: String) -> String? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let index = lines.firstIndex(where: { $0.hasPrefix("Build") }), index + 1 < lines.count else { return nil }
        return lines[index + 1].trimmingCharacters(in: .whitespaces)
    }

    @Test func aScaffoldedCPluginBuildsAsPrintedPassesCheckReadsItsConfigAndAnswersItsCommand() async throws {
        let directory = Fixtures.temporaryDirectory("scaffold").appendingPathComponent("hello")
        let config = directory.deletingLastPathComponent().appendingPathComponent("plugins.json").path
        let scaffold = try await bothost(["plugins", "new", "hello", "--lang", "c", "--directory", directory.path, "--config", config])
        #expect(scaffold.status == 0, "\(scaffold.output)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("hello.c").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("Makefile").path))

        // Built exactly as the scaffold says, in its directory.
        let build = try #require(buildLine(scaffold.output), "no build line in: \(scaffold.output)")
        #expect(build.hasPrefix("cc "))
        let built = try await Fixtures.offPool { try Fixtures.execute("/bin/sh", ["-c", "cd '\(directory.path)' && \(build)"]) }
        #expect(built.status == 0, "\(build): \(built.output)")

        let library = directory.appendingPathComponent("libhello.so").path
        let check = try await bothost(["plugins", "check", library])
        #expect(check.status == 0 && check.output.contains("name:        hello"), "\(check.output)")

        // The entry it added to plugins.json loads, with a greeting of our own in the config.
        let file = try PluginsFileLoader.load(contentsOf: config)
        var entry = try #require(file.plugins.first { $0.name == "hello" })
        #expect(entry.library == library)
        // Quotes in the greeting must come out as text, escaped in the reply's JSON.
        entry.config = ["greeting": #""Howdy""#]
        let host = try TestHost()
        let statuses = await host.manager.apply(PluginsFile(plugins: [entry]))
        #expect(statuses.first?.state == .running, "\(statuses)")

        let responder = RecordingResponder()
        for line in [#"/hello who:"Ada Lovelace""#, "/hello"] {
            let invocation = try LocalInvocation.parse(line, definitions: host.runtime.commands.definitions, userID: 9)
            try host.runtime.invokeCommand(invocation, responder: responder)
        }
        #expect(await eventually { responder.responses.count == 2 })
        // The reply is JSON the plugin wrote: decode it, so that escaping mistakes show.
        let texts = responder.responses.map { response in
            ((try? JSONSerialization.jsonObject(with: Data(response.messageJSON))) as? [String: Any])?["content"] as? String ?? response.messageText
        }
        #expect(texts.contains { $0.contains(#""Howdy", Ada Lovelace!"#) }, "\(texts)")
        #expect(texts.contains { $0.contains(#""Howdy", <@9>!"#) }, "\(texts)")
        await host.shutdown()
    }

    @Test func theScaffoldPrintsTheEntryWhenNotAskedToWriteIt() async throws {
        let directory = Fixtures.temporaryDirectory("scaffold").appendingPathComponent("printed")
        let result = try await bothost(["plugins", "new", "printed-one", "--lang", "c", "--directory", directory.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains(#""name": "printed-one""#) && result.output.contains("libprinted-one.so"), "\(result.output)")
        let source = try String(contentsOfFile: directory.appendingPathComponent("printed-one.c").path, encoding: .utf8)
        #expect(source.contains(#".name = "printed-one""#))
    }

    @Test func aBadNameOrAnExistingDirectoryIsRefusedAndNothingIsWritten() async throws {
        let parent = Fixtures.temporaryDirectory("scaffold")
        let badName = try await bothost(["plugins", "new", "Bad Name", "--lang", "c", "--directory", parent.appendingPathComponent("x").path])
        #expect(badName.status != 0)
        #expect(badName.output.contains("is not a plugin name"), "\(badName.output)")
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("x").path))

        let taken = parent.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: taken, withIntermediateDirectories: true)
        try "mine".write(to: taken.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let existing = try await bothost(["plugins", "new", "taken", "--lang", "c", "--directory", taken.path])
        #expect(existing.status != 0)
        #expect(existing.output.contains("already exists"), "\(existing.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: taken.path) == ["notes.txt"])

        let unknownLanguage = try await bothost(["plugins", "new", "other", "--lang", "cobol", "--directory", parent.appendingPathComponent("o").path])
        #expect(unknownLanguage.status != 0)
    }

    /// The slow one (a release build of PluginKit, a minute or more): the Swift package builds as
    /// printed against this tree's PluginKit, passes the check, loads and answers its command.
    @Test func aScaffoldedSwiftPackageBuildsAsPrintedAndAnswersItsCommand() async throws {
        let directory = Fixtures.temporaryDirectory("scaffold").appendingPathComponent("swifty")
        let result = try await bothost(["plugins", "new", "swifty", "--lang", "swift", "--directory", directory.path])
        #expect(result.status == 0, "\(result.output)")
        let manifest = try String(contentsOfFile: directory.appendingPathComponent("Package.swift").path, encoding: .utf8)
        #expect(manifest.contains(#".package(path: "\#(Fixtures.packageRoot.standardizedFileURL.path)")"#), "\(manifest)")

        let build = try #require(buildLine(result.output), "no build line in: \(result.output)")
        #expect(build == "swift build -c release")
        let built = try await Fixtures.offPool { try Fixtures.execute("/bin/sh", ["-c", "cd '\(directory.path)' && \(build)"]) }
        #expect(built.status == 0, "\(build): \(built.output)")

        let library = directory.appendingPathComponent(".build/release/libswifty.so").path
        let check = try await bothost(["plugins", "check", library])
        #expect(check.status == 0 && check.output.contains("name:        swifty"), "\(check.output)")

        let host = try TestHost()
        let statuses = try await host.apply(plugins: #"[{"name": "swifty", "library": \#(jsonString(library)), "config": {"greeting": "Hey"}}]"#)
        #expect(statuses.first?.state == .running, "\(statuses)")
        let responder = try host.invoke("/swifty who:Ada", userID: 9)
        #expect(await eventually { responder.responses.count == 1 })
        #expect(responder.responses.first?.messageText.contains("Hey, Ada!") == true, "\(responder.responses)")
        await host.shutdown()
    }
}
