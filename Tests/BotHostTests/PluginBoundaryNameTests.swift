@testable import BotHost
import Foundation
import Testing

/// Names have owners: a plugin serves only under names it owns, nobody publishes under another
/// running plugin's names, and a command named after a name belongs to that name's owner. Each test
/// puts a hostile probe beside the real RateLimit plugin, whose `ratelimit.*` services and
/// `/usage` command were the squatting targets.
@Suite struct PluginBoundaryNameTests {
    private func entry(_ name: String, _ library: String, _ config: String) -> String {
        #"{"name": "\#(name)", "library": \#(jsonString(library)), "config": \#(config)}"#
    }

    private func rateLimit() -> String {
        entry("ratelimit", Fixtures.built("libRateLimit.so"), "{}")
    }

    @Test func aPluginLoadedFirstCannotTakeAnotherPluginsServiceCommandOrTopics() async throws {
        let log = CapturedLog()
        let host = try TestHost(logger: log.logger())
        let trace = TraceFile(in: host.directory, "hostile.txt")
        // The hostile plugin comes first in the file, so it starts first.
        let hostile = entry("hostile", try Fixtures.probe(named: "hostile"),
                            #"{"traceFile": \#(jsonString(trace.path)), "serve": "ratelimit.voice.check", "command": "usage"}"#)
        let statuses = try await host.apply(plugins: "[\(hostile), \(rateLimit())]")
        #expect(statuses.allSatisfy { $0.state == .running }, "RateLimit must start beside the squatter: \(statuses)")

        let serve = try #require(trace.lines.first { $0.hasPrefix("serve ") })
        #expect(serve.hasPrefix("serve ratelimit.voice.check 13 ") && serve.contains("plugin ratelimit owns"), "\(serve)")
        let command = try #require(trace.lines.first { $0.hasPrefix("command ") })
        #expect(command.hasPrefix("command usage 13 ") && command.contains("plugin ratelimit"), "\(command)")
        #expect(host.runtime.commands.owners["usage"] == "ratelimit")

        // Requests reach RateLimit, not the squatter's echo: the answer has what only RateLimit says.
        try host.publish("probe.ask", #"ratelimit.voice.check 5000 {"userId": "1", "guildId": "2"}"#)
        let reply = await eventuallyValue { trace.lines.first { $0.hasPrefix("reply ratelimit.voice.check") } }
        #expect(reply?.hasPrefix("reply ratelimit.voice.check 0 ") == true && reply?.contains("usedMs") == true, "\(trace.text)")

        // Publishing under RateLimit's names is refused; a topic nobody owns is anyone's.
        try host.publish("probe.publish", #"ratelimit.voice.reset {"userId": "1"}"#)
        try host.publish("probe.publish", #"usage.forged {}"#)
        try host.publish("probe.publish", #"lobby.updated {"n": 1}"#)
        #expect(await eventually { trace.lines.filter { $0.hasPrefix("published ") }.count == 3 }, "\(trace.text)")
        let published = trace.lines.filter { $0.hasPrefix("published ") }
        #expect(published[0].hasPrefix("published ratelimit.voice.reset 13 ") && published[0].contains("plugin ratelimit owns"), "\(published)")
        #expect(published[1].hasPrefix("published usage.forged 13 "), "\(published)")
        #expect(published[2] == "published lobby.updated 0 ", "\(published)")
        #expect(host.events("ratelimit.voice.reset").isEmpty && host.events("usage.forged").isEmpty)
        #expect(host.events("lobby.updated") == [#"{"n": 1}"#])
        // The operator sees the refusals too (once per interval, however often they are tried).
        #expect(log.all.contains { $0.contains("plugin hostile: refused (BOTHOST_E_DENIED)") && $0.contains("ratelimit.voice.check") })
        await host.shutdown()
    }

    @Test func aPluginDeclaringAnotherPluginsNameIsRefusedAndTheRefusalSaysWhichToDisable() async throws {
        let host = try TestHost()
        let squatterTrace = TraceFile(in: host.directory, "squatter.txt"), claimerTrace = TraceFile(in: host.directory, "claimer.txt")
        // The squatter comes before RateLimit in the file, yet loses: every plugin's own name is
        // claimed before any declared name. Two declarations of one name go to the first in the file.
        let squatter = entry("squatter", try Fixtures.probe(named: "squatter", owning: "ratelimit.voice"),
                             #"{"traceFile": \#(jsonString(squatterTrace.path))}"#)
        let claimer = entry("claimer", try Fixtures.probe(named: "claimer", owning: "usage"),
                            #"{"traceFile": \#(jsonString(claimerTrace.path))}"#)
        let statuses = try await host.apply(plugins: "[\(squatter), \(rateLimit()), \(claimer)]")
        let byName = Dictionary(uniqueKeysWithValues: statuses.map { ($0.name, $0.state) })
        #expect(byName["ratelimit"] == .running, "\(statuses)")

        guard case .refused(let squatting)? = byName["squatter"] else {
            Issue.record("the plugin declaring ratelimit.voice was not refused: \(statuses)")
            return
        }
        #expect(squatting.kind == .nameConflict)
        #expect(squatting.cause.contains("\"ratelimit.voice\"") && squatting.cause.contains("plugin \"ratelimit\""), "\(squatting.cause)")
        #expect(squatting.fix.contains("disable \"squatter\""), "\(squatting.fix)")

        // RateLimit and the claimer both declare "usage": the second is refused, naming both.
        guard case .refused(let claiming)? = byName["claimer"] else {
            Issue.record("two plugins own \"usage\": \(statuses)")
            return
        }
        #expect(claiming.kind == .nameConflict)
        #expect(claiming.cause.contains("\"usage\"") && claiming.cause.contains("plugin \"ratelimit\""), "\(claiming.cause)")
        #expect(claiming.fix.contains("disable \"claimer\"") && claiming.fix.contains("\"ratelimit\""), "\(claiming.fix)")
        #expect(squatterTrace.lines.isEmpty && claimerTrace.lines.isEmpty, "a refused plugin never ran")
        #expect(host.events("host.plugin.refused").contains { $0.contains("squatter") })
        await host.shutdown()
    }

    @Test func anOwnerArrivingAfterASquatterIsRefusedNamingTheSquatterUntilItGoes() async throws {
        let host = try TestHost()
        let trace = TraceFile(in: host.directory, "hostile.txt")
        let hostile = entry("hostile", try Fixtures.probe(named: "hostile"), #"{"traceFile": \#(jsonString(trace.path)), "command": "usage"}"#)
        // Nobody owns "usage" yet: the command is the hostile plugin's for now.
        try await host.apply(plugins: "[\(hostile)]")
        #expect(trace.lines.contains { $0.hasPrefix("command usage 0") }, "\(trace.text)")

        // RateLimit is added while it runs: refused, naming the squatter as the one to disable.
        let statuses = try await host.apply(plugins: "[\(hostile), \(rateLimit())]")
        guard case .refused(let refusal)? = statuses.first(where: { $0.name == "ratelimit" })?.state else {
            Issue.record("RateLimit started while another plugin held /usage: \(statuses)")
            return
        }
        #expect(refusal.kind == .nameConflict)
        #expect(refusal.cause.contains("plugin \"hostile\"") && refusal.cause.contains("/usage"), "\(refusal.cause)")
        #expect(refusal.fix.contains("disable \"hostile\""), "\(refusal.fix)")

        // The operator disables the squatter: RateLimit starts and owns /usage.
        let disabled = hostile.replacingOccurrences(of: #""name": "hostile","#, with: #""name": "hostile", "enabled": false,"#)
        let after = try await host.apply(plugins: "[\(disabled), \(rateLimit())]")
        #expect(after.first { $0.name == "ratelimit" }?.state == .running, "\(after)")
        #expect(host.runtime.commands.owners["usage"] == "ratelimit")
        await host.shutdown()
    }
}
