@testable import BotHost
import Foundation
import Testing

/// Every way a library can be refused: the host names the file, the cause and the fix, and keeps
/// running with the other plugins.
@Suite struct LoaderRefusalTests {
    private func load(_ path: String) -> Result<LoadedLibrary, PluginRefusal> {
        PluginLoader.load(path: path, api: HostRuntime.apiTable)
    }

    private func refusal(_ path: String) throws -> PluginRefusal {
        switch load(path) {
        case .success(let loaded): throw Fixtures.CommandFailed(description: "\(path) loaded as \(loaded.descriptor.name)")
        case .failure(let refusal): return refusal
        }
    }

    @Test func missingFile() throws {
        let r = try refusal("/nonexistent/libnothing.so")
        #expect(r.kind == .missingFile)
        #expect(r.file == "/nonexistent/libnothing.so")
        #expect(r.description.contains("Fix:"))
    }

    @Test func textFileNamedSo() throws {
        let path = Fixtures.temporaryDirectory().appendingPathComponent("libfake.so").path
        try "this is not a library\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try refusal(path)
        #expect(r.kind == .notSharedObject)
        #expect(r.description.contains(path))
    }

    @Test func libraryWithoutEntrySymbol() throws {
        let r = try refusal(try Fixtures.fixture("no_entry"))
        #expect(r.kind == .missingEntry)
        #expect(r.cause.contains("bothost_plugin_entry"))
        #expect(r.fix.contains("BOTHOST_PLUGIN_ENTRY"))
    }

    @Test func abiMajorMismatchNamesBothVersions() throws {
        let r = try refusal(try Fixtures.fixture("abi_major_99"))
        #expect(r.kind == .abiMajorMismatch)
        #expect(r.cause.contains("99."))
        #expect(r.cause.contains("\(PluginLoader.hostABIMajor).\(PluginLoader.hostABIMinor)"))
    }

    @Test func abiMinorNewerThanHost() throws {
        let r = try refusal(try Fixtures.fixture("abi_minor_future"))
        #expect(r.kind == .abiMinorTooNew)
        #expect(r.cause.contains("\(PluginLoader.hostABIMajor).\(PluginLoader.hostABIMinor + 5)"))
    }

    @Test func nullDescriptorAndBadName() throws {
        #expect(try refusal(try Fixtures.fixture("null_descriptor")).kind == .nullDescriptor)
        let bad = try refusal(try Fixtures.fixture("bad_name"))
        #expect(bad.kind == .invalidName)
        #expect(bad.fix.contains("bad-name"))
    }

    @Test func theExamplePluginsPassTheChecks() throws {
        let counter = try load(Fixtures.built("libExampleCCounter.so")).get()
        #expect(counter.descriptor.name == "counter")
        #expect(counter.descriptor.abiMajor == PluginLoader.hostABIMajor)
        let greeter = try load(Fixtures.built("libExampleSwiftGreeter.so")).get()
        #expect(greeter.descriptor.name == "greeter")
    }

    @Test func aCPluginBuiltFromTheHeaderAloneLoads() throws {
        // Proof that a third party needs nothing but bothost_plugin.h: compile the example with cc.
        let source = Fixtures.packageRoot.appendingPathComponent("Plugins/Examples/CCounter/counter.c").path
        let path = try Fixtures.compileC(source, name: "counter-standalone")
        let loaded = try load(path).get()
        #expect(loaded.descriptor.name == "counter")
    }

    /// Refusals inside a running host: the others keep running, the reason is published.
    @Test func refusedPluginsNeverStopTheOthers() async throws {
        let host = try TestHost()
        let probe = try Fixtures.fixture("probe")
        let trace = TraceFile(in: host.directory)
        let statuses = try await host.apply(plugins: """
            [
              {"name": "broken", "library": \(jsonString(try Fixtures.fixture("init_fails")))},
              {"name": "nostart", "library": \(jsonString(try Fixtures.fixture("start_fails")))},
              {"name": "future", "library": \(jsonString(try Fixtures.fixture("abi_major_99")))},
              {"name": "probe", "library": \(jsonString(probe)), "config": {"traceFile": \(jsonString(trace.path)), "subscribe": "t.>"}},
              {"name": "ghost", "library": "libDoesNotExist.so"}
            ]
            """)
        let byName = Dictionary(uniqueKeysWithValues: statuses.map { ($0.name, $0) })
        #expect(byName["probe"]?.state == .running)
        guard case .refused(let initRefusal)? = byName["broken"]?.state else { Issue.record("init failure not refused"); return }
        #expect(initRefusal.kind == .initFailed)
        #expect(initRefusal.cause.contains("missing required config key apiUrl"))
        guard case .refused(let startRefusal)? = byName["nostart"]?.state else { Issue.record("start failure not refused"); return }
        #expect(startRefusal.kind == .startFailed)
        guard case .refused(let abi)? = byName["future"]?.state else { Issue.record("abi mismatch not refused"); return }
        #expect(abi.kind == .abiMajorMismatch)
        guard case .refused(let missing)? = byName["ghost"]?.state else { Issue.record("missing file not refused"); return }
        #expect(missing.kind == .missingFile)
        #expect(await eventually { host.events("host.plugin.refused").count == 4 })

        // The survivor still works.
        try host.publish("t.x", "alive")
        #expect(await eventually { trace.lines.contains("msg t.x alive") })
        await host.shutdown()
    }

    @Test func aSecondPluginWithTheSameNameIsRefused() async throws {
        let host = try TestHost()
        let counter = Fixtures.built("libExampleCCounter.so")
        let statuses = try await host.apply(plugins: """
            [{"name": "counter", "library": \(jsonString(counter))},
             {"name": "counter2", "library": \(jsonString(try Fixtures.compileC(Fixtures.packageRoot.appendingPathComponent("Plugins/Examples/CCounter/counter.c").path, name: "counter-copy")))}]
            """)
        #expect(statuses.first { $0.name == "counter" }?.state == .running)
        guard case .refused(let refusal)? = statuses.first(where: { $0.name == "counter2" })?.state else {
            Issue.record("duplicate accepted"); return
        }
        #expect(refusal.kind == .duplicateName)
        #expect(refusal.cause.contains("already running"))
        await host.shutdown()
    }

    /// A plugin without config_changed is restarted with its new config; when init refuses that
    /// config, the refusal is reported once (the restart used to be tried twice in one apply).
    @Test func aRestartRefusedForItsNewConfigIsReportedOnce() async throws {
        let host = try TestHost()
        let probe = try Fixtures.fixture("probe")
        let trace = TraceFile(in: host.directory)
        func plugins(_ config: String) -> String {
            #"[{"name": "probe", "library": \#(jsonString(probe)), "config": \#(config)}]"#
        }
        let valid = #"{"traceFile": \#(jsonString(trace.path))}"#
        #expect(try await host.apply(plugins: plugins(valid)).first?.state == .running)
        let refused = try await host.apply(plugins: plugins(#"{"subscribe": "t.>"}"#))
        guard case .refused(let refusal)? = refused.first?.state else { Issue.record("\(refused)"); return }
        #expect(refusal.kind == .initFailed)
        // Fixed again: its start is published after anything the refused edit published.
        #expect(try await host.apply(plugins: plugins(valid)).first?.state == .running)
        #expect(await eventually { host.events("host.plugin.started").count == 2 })
        #expect(host.events("host.plugin.refused").count == 1, "\(host.events("host.plugin.refused"))")
        #expect(host.events("host.plugin.stopped").count == 1)
        await host.shutdown()
    }
}
