@testable import BotHost
import Foundation
import PluginAPI
import Testing

/// The ABI's version rule (rule 2 of bothost_plugin.h): a descriptor names the lowest minor the
/// plugin requires, a host loads any plugin whose required minor it offers, and newer calls are
/// optional. Plugins built from older headers keep working on newer hosts, and a plugin built from
/// today's header that requires less runs on an older host and degrades.
@Suite struct ABIVersionTests {
    private static let abiFixtures = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/ABI")

    /// Compiles Tests/Fixtures/ABI/<name>.c and returns a private copy.
    private func abiFixture(_ name: String) throws -> String {
        let source = Self.abiFixtures.appendingPathComponent("\(name).c").path
        return Fixtures.privateCopy(of: try Fixtures.compileC(source, name: "abi-\(name)"))
    }

    private func parse(_ plugins: String) throws -> PluginsFile {
        try PluginsFileLoader.parse(Array(#"{"plugins": \#(plugins)}"#.utf8), file: "test-plugins.json")
    }

    private func probeEntry(_ trace: TraceFile) throws -> String {
        #"{"name": "probe", "library": \#(jsonString(try Fixtures.fixture("probe"))), "config": {"traceFile": \#(jsonString(trace.path)), "subscribe": "none.x"}}"#
    }

    /// This test stays forever: a plugin compiled from the frozen 1.0 header works on this host.
    @Test func aPluginBuiltFromTheFrozen10HeaderLoadsAndWorks() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory)
        let legacy = try abiFixture("plugin_1_0")
        let statuses = try await host.apply(plugins: """
            [{"name": "legacy10", "library": \(jsonString(legacy)), "config": {"greeting": "hi"}},
             \(try probeEntry(trace))]
            """)
        #expect(statuses.allSatisfy { $0.state == .running }, "\(statuses)")

        // start: config_get, and the host table it was given (the current minor).
        #expect(await eventually { !host.events("legacy10.started").isEmpty })
        let started = try #require(host.events("legacy10.started").first)
        #expect(started.hasPrefix("\(PluginLoader.hostABIMajor).\(PluginLoader.hostABIMinor) "))
        #expect(started.contains(#""greeting""#) && started.contains(#""hi""#))

        // The bus and storage.
        try host.publish("legacy10.in", "hello")
        #expect(await eventually { host.events("legacy10.out") == ["got hello"] })
        // Request/reply, served by the 1.0 plugin.
        try host.publish("probe.ask", "legacy10.echo 5000 ping")
        #expect(await eventually { trace.lines.contains("reply legacy10.echo 0 ping") }, "\(trace.text)")
        // A timer on the host clock.
        host.advance(ms: 1000)
        #expect(await eventually { host.events("legacy10.tick") == ["tick"] })

        // Stopping runs its cleanup hook.
        try await host.apply(plugins: "[]")
        #expect(await eventually { host.events("legacy10.cleanup") == ["bye"] })
        await host.shutdown()
    }

    @Test func aPluginRequiringMinor0LoadsOnAMinor0HostAndDegrades() async throws {
        let host = try TestHost()
        // The same runtime, but plugins get the table of a host that offers only ABI 1.0.
        let minor0 = PluginManager(runtime: host.runtime, pluginsDirectory: Fixtures.buildDirectory,
                                   configDirectory: host.directory.path, offeringABIMinor: 0)
        let statuses = await minor0.apply(try parse("""
            [{"name": "oldhost", "library": \(jsonString(try abiFixture("requires_minor_0")))},
             {"name": "legacy10", "library": \(jsonString(try abiFixture("plugin_1_0")))},
             {"name": "counter", "library": \(jsonString(Fixtures.built("libExampleCCounter.so")))}]
            """))

        // The newer slots are absent...
        #expect(await eventually { !host.events("oldhost.slots").isEmpty })
        #expect(host.events("oldhost.slots") == ["minor=0 discord_request=0 bus_message_info=0 component_register=0 voice_join=0"])
        // ...and the plugin does without them, as it documents.
        try host.publish("oldhost.in", "x")
        #expect(await eventually { host.events("oldhost.origin") == ["origin unknown: the host has no bus_message_info"] })
        try host.publish("oldhost.announce", "hello")
        #expect(await eventually { host.events("oldhost.fallback") == ["hello (the host has no discord_request)"] })

        // A 1.0 plugin is at home here.
        #expect(await eventually { host.events("legacy10.started").first?.hasPrefix("\(PluginLoader.hostABIMajor).0 ") == true })

        // A plugin that requires the current minor is refused, naming both versions and the fix.
        let counter = try #require(statuses.first { $0.name == "counter" })
        guard case .refused(let refusal) = counter.state else {
            Issue.record("counter should be refused by a 1.0 host: \(counter.state)")
            await minor0.stopAll()
            await host.shutdown()
            return
        }
        #expect(refusal.kind == .abiMinorTooNew)
        #expect(refusal.cause.contains("\(PluginLoader.hostABIMajor).\(PluginLoader.hostABIMinor)"))
        #expect(refusal.cause.contains("\(PluginLoader.hostABIMajor).0"))
        #expect(refusal.fix.contains("BOTHOST_REQUIRED_MINOR 0"))
        #expect(statuses.filter { $0.state == .running }.map(\.name).sorted() == ["legacy10", "oldhost"])

        await minor0.stopAll()
        await host.shutdown()
    }

    @Test func theSamePluginOnTheCurrentHostFindsEveryNewerSlot() async throws {
        let host = try TestHost()
        try await host.apply(plugins: #"[{"name": "oldhost", "library": \#(jsonString(try abiFixture("requires_minor_0")))}]"#)
        #expect(await eventually { !host.events("oldhost.slots").isEmpty })
        #expect(host.events("oldhost.slots") == ["minor=\(PluginLoader.hostABIMinor) discord_request=1 bus_message_info=1 component_register=1 voice_join=1"])
        try host.publish("oldhost.in", "x")
        // Published by the host: no shard, no publishing plugin.
        #expect(await eventually { host.events("oldhost.origin") == ["shard=-1 publisher="] })
        // This test host has no Discord connection: the call exists but fails, and the plugin falls back.
        try host.publish("oldhost.announce", "hello")
        #expect(await eventually { host.events("oldhost.fallback") == ["hello (discord_request failed)"] })
        await host.shutdown()
    }

    @Test func aPluginRequiringANewerMinorThanTheHostOffersIsRefused() throws {
        // The loader compares with the table it hands out, not with the header it was compiled with.
        for minor in 0..<PluginLoader.hostABIMinor {
            let result = PluginLoader.load(path: Fixtures.built("libExampleCCounter.so"), api: HostAPI.offeredTable(minor: minor))
            guard case .failure(let refusal) = result else {
                Issue.record("a host offering minor \(minor) loaded a plugin requiring \(PluginLoader.hostABIMinor)")
                continue
            }
            #expect(refusal.kind == .abiMinorTooNew)
            #expect(refusal.fix.contains("BOTHOST_REQUIRED_MINOR \(minor)"))
        }
        // PluginKit writes the minor it was built with unless a plugin asks for less.
        let greeter = try PluginLoader.load(path: Fixtures.built("libExampleSwiftGreeter.so"), api: HostRuntime.apiTable).get()
        #expect(greeter.descriptor.abiMinor == PluginLoader.hostABIMinor)
    }

    @Test func eachOlderMinorsTableEndsWhereTheNextMinorBegins() {
        let full = HostAPI.offeredTable(minor: PluginLoader.hostABIMinor)
        #expect(full == HostAPI.table)
        #expect(Int(full.pointee.struct_size) == MemoryLayout<bothost_host_api>.size)
        for minor in 0..<PluginLoader.hostABIMinor {
            guard let end = HostAPI.firstSlotOfMinor[minor + 1] else {
                Issue.record("HostAPI.firstSlotOfMinor has no entry for minor \(minor + 1)")
                continue
            }
            let table = HostAPI.offeredTable(minor: minor)
            #expect(table.pointee.abi_minor == minor)
            #expect(Int(table.pointee.struct_size) == end)
            // Nothing past the end: the bytes of newer slots are zero.
            let tail = UnsafeRawBufferPointer(start: UnsafeRawPointer(table).advanced(by: end),
                                              count: MemoryLayout<bothost_host_api>.size - end)
            #expect(tail.allSatisfy { $0 == 0 })
            // The slots it has are the current table's functions.
            #expect(table.pointee.bus_publish != nil && table.pointee.cleanup_register != nil)
        }
        #expect(HostAPI.firstSlotOfMinor.keys.sorted() == Array(1...PluginLoader.hostABIMinor))
    }
}
