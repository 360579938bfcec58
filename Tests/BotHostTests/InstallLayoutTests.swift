import Foundation
import Testing

/// `make install` lays out what the README and contrib/bothost.service promise. The layout is
/// checked from the debug build (INSTALL_FROM), since a release build is too slow for the suite.
@Suite struct InstallLayoutTests {
    @Test func makeInstallPutsTheBinaryAndThePluginsUnderPrefix() throws {
        let prefix = Fixtures.temporaryDirectory("install").appendingPathComponent("usr-local")
        let root = Fixtures.packageRoot.path
        try Fixtures.run("/usr/bin/env", ["make", "-s", "-C", root, "install",
                                          "PREFIX=\(prefix.path)", "INSTALL_FROM=\(Fixtures.buildDirectory)"])
        let binary = prefix.appendingPathComponent("bin/bothost").path
        #expect(FileManager.default.isExecutableFile(atPath: binary))
        let plugins = prefix.appendingPathComponent("lib/bothost/plugins").path
        let installed = try FileManager.default.contentsOfDirectory(atPath: plugins).sorted()
        #expect(installed == ["libExampleCCounter.so", "libExampleSwiftGreeter.so", "libGameSessions.so",
                              "libRateLimit.so", "libVoiceSessions.so"])
        // The installed binary runs and checks an installed plugin from where the service finds them.
        let check = try Fixtures.run(binary, ["plugins", "check", plugins + "/libExampleCCounter.so"])
        #expect(check.contains("counter"))
        // The plugin headers, and the installed binary scaffolds plugins against them.
        let include = prefix.appendingPathComponent("include/bothost")
        for header in ["bothost_plugin.h", "bothost_plugin.hpp"] {
            #expect(FileManager.default.fileExists(atPath: include.appendingPathComponent(header).path), "\(header)")
        }
        let scaffolded = prefix.deletingLastPathComponent().appendingPathComponent("installed")
        let scaffold = try Fixtures.run(binary, ["plugins", "new", "installed", "--lang", "c", "--directory", scaffolded.path])
        #expect(scaffold.contains("-I \(include.standardizedFileURL.resolvingSymlinksInPath().path)"), "\(scaffold)")
        // With nothing but the installed files, its Makefile builds a plugin the installed binary accepts.
        try Fixtures.run("/usr/bin/env", ["make", "-s", "-C", scaffolded.path])
        let built = try Fixtures.run(binary, ["plugins", "check", scaffolded.appendingPathComponent("libinstalled.so").path])
        #expect(built.contains("name:        installed"), "\(built)")
    }
}
