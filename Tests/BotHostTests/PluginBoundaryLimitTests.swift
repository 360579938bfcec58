@testable import BotHost
import Foundation
import Testing

/// Limits that count what matters: the bytes a stalled plugin makes the host hold, the number of
/// registrations a plugin may make, and timers that fire fairly between plugins. Each test puts a
/// hostile probe beside an honest one.
@Suite struct PluginBoundaryLimitTests {
    private func entry(_ name: String, _ config: String) throws -> String {
        #"{"name": "\#(name)", "library": \#(jsonString(try Fixtures.probe(named: name))), "config": \#(config)}"#
    }

    @Test func aStalledSubscriberCannotMakeTheHostHoldMoreThanItsByteBound() async throws {
        let bound = 1_048_576
        let host = try TestHost(hostJSON: #"{"busQueueCapacityBytes": \#(bound)}"#, manualClock: false)
        let hostileTrace = TraceFile(in: host.directory, "hostile.txt"), honestTrace = TraceFile(in: host.directory, "honest.txt")
        let release = host.directory.appendingPathComponent("release").path
        let statuses = try await host.apply(plugins: """
            [\(try entry("hostile", #"{"traceFile": \#(jsonString(hostileTrace.path)), "subscribe": "big.>", "sizes": "1", "blockOn": "hostile.stall"}"#)),
             \(try entry("honest", #"{"traceFile": \#(jsonString(honestTrace.path)), "subscribe": "big.>", "sizes": "1"}"#))]
            """)
        #expect(statuses.allSatisfy { $0.state == .running }, "\(statuses)")
        let hostile = try #require(host.executor(of: "hostile"))

        // The hostile plugin stalls in a callback until the test creates the release file.
        try host.publish("hostile.stall", "600000 \(release)")
        #expect(await eventually { hostileTrace.lines.contains { $0.hasPrefix("blocking") } })

        // 200 events of 64 KiB: 12.5 MiB, twelve times the bound. They come in bursts of eight
        // (half the bound) that the honest plugin finishes before the next: a plugin that keeps
        // up never meets the bound; the stalled one meets it and loses the rest.
        let events = 200, size = 65_536, burst = 8
        let payload = [UInt8](repeating: 0x61, count: size)
        let honestExecutor = try #require(host.executor(of: "honest"))
        var dropped = 0
        for start in stride(from: 0, to: events, by: burst) {
            for index in start..<min(start + burst, events) {
                dropped += host.runtime.bus.publish(topic: "big.\(index)", payload: payload).dropped
            }
            await honestExecutor.caughtUp()
        }

        let held = hostile.snapshot()
        #expect(held.peakQueuedBytes <= bound, "the stalled plugin's queue held \(held.peakQueuedBytes) bytes")
        #expect(held.queuedBytes <= bound && held.queuedBytes > bound / 2, "\(held.queuedBytes)")
        let kept = held.queued
        #expect(dropped == events - kept && dropped > events / 2, "dropped \(dropped), kept \(kept)")
        #expect(held.dropped == UInt64(dropped))

        // The honest plugin beside it received every event, in order.
        #expect(await eventually { honestTrace.lines.filter { $0.hasPrefix("msg big.") }.count == events })
        #expect(honestTrace.lines.filter { $0.hasPrefix("msg big.") } == (0..<events).map { "msg big.\($0) \(size) " })
        #expect(honestExecutor.snapshot().dropped == 0 && honestExecutor.snapshot().peakQueuedBytes <= burst * (size + 16))

        // The drops are reported as event-count drops are: a log line and host.bus.overflow.
        // (The watchdog may have seen the drops in two looks, so wait for the one that counts them all.)
        let report = await eventuallyValue {
            host.events("host.bus.overflow").first { $0.contains(#""plugin":"hostile""#) && $0.contains(#""totalDropped":\#(dropped)"#) }
        }
        #expect(report?.contains(#""capacityBytes":\#(bound)"#) == true, "\(host.events("host.bus.overflow"))")
        #expect(host.events("host.bus.overflow").allSatisfy { !$0.contains(#""plugin":"honest""#) })

        // Released, it gets what was kept for it, and the accounting returns to zero.
        FileManager.default.createFile(atPath: release, contents: Data())
        #expect(await eventually { hostileTrace.lines.filter { $0.hasPrefix("msg big.") }.count == kept })
        await hostile.caughtUp()
        #expect(hostile.snapshot().queuedBytes == 0)
        await host.shutdown()
    }

    @Test func aPluginsManyDueTimersCannotDelayAnotherPluginsTimerBeyondOneRound() async throws {
        let limit = 2_000
        let host = try TestHost(hostJSON: #"{"maxTimers": \#(limit)}"#)
        let hostileTrace = TraceFile(in: host.directory, "hostile.txt"), honestTrace = TraceFile(in: host.directory, "honest.txt")
        let statuses = try await host.apply(plugins: """
            [\(try entry("hostile", #"{"traceFile": \#(jsonString(hostileTrace.path)), "timers": "5000 1"}"#)),
             \(try entry("honest", #"{"traceFile": \#(jsonString(honestTrace.path)), "timers": "1 50"}"#))]
            """)
        #expect(statuses.allSatisfy { $0.state == .running }, "\(statuses)")

        // The hostile plugin got its limit of timers, and a clear refusal for the next one.
        let registered = try #require(hostileTrace.lines.first { $0.hasPrefix("timers ") })
        #expect(registered.hasPrefix("timers \(limit) 10 ") && registered.contains("maxTimers"), "\(registered)")
        #expect(honestTrace.lines.first == "timers 1 0 ")

        // Each step of 50 ms makes all 2 000 hostile timers due at once, and the honest one with
        // them — later in deadline order than every hostile one.
        let steps = 10
        for step in 1...steps {
            // Every timer due so far has fired, so each step fires each timer exactly once.
            await host.runtime.scheduler.caughtUp()
            host.advance(ms: 50)
            #expect(await eventually { honestTrace.lines.contains("tick \(step)") }, "tick \(step): \(honestTrace.text)")
        }
        await host.runtime.scheduler.caughtUp()
        let instances = host.runtime.liveInstances
        let honest = try #require(instances.first { $0.name == "honest" }), hostile = try #require(instances.first { $0.name == "hostile" })
        let honestStats = host.runtime.scheduler.stats(lane: honest.timerLane)
        let hostileStats = host.runtime.scheduler.stats(lane: hostile.timerLane)
        #expect(honestStats.fired == UInt64(steps), "no tick was skipped or doubled")
        // The hostile timers all fired too: fairness delays nobody's timers for good.
        #expect(hostileStats.fired == UInt64(steps * limit), "\(hostileStats)")
        // At most one round of every other lane (the hostile plugin's, the host's) ran ahead of an
        // honest tick; in deadline order it would have waited behind all 2 000 hostile timers.
        #expect(honestStats.worstWaitBehind <= 2 * TimerScheduler.perLaneQuota, "\(honestStats)")
        #expect(honestStats.worstWaitBehind < limit / 10, "the honest tick waited behind the hostile backlog: \(honestStats)")
        await host.shutdown()
    }

    @Test func registrationsOverTheirLimitAreRefusedWithTheSettingToRaise() async throws {
        let host = try TestHost(hostJSON: #"{"maxSubscriptions": 9}"#)
        let trace = TraceFile(in: host.directory, "hostile.txt")
        // The probe subscribes to its six control topics itself, so three more patterns exceed nine.
        let statuses = try await host.apply(plugins: "[\(try entry("hostile", #"{"traceFile": \#(jsonString(trace.path)), "subscribe": "a.x,b.x,c.x,d.x"}"#))]")
        guard case .refused(let refusal)? = statuses.first?.state else {
            Issue.record("ten subscriptions were accepted under a limit of nine: \(statuses)")
            return
        }
        #expect(refusal.cause.contains("holds 9 registrations") && refusal.cause.contains("maxSubscriptions"), "\(refusal.cause)")
        #expect(host.runtime.bus.counts.subscriptions == 0, "a refused plugin's subscriptions are removed")

        // Within the limit it runs.
        let fits = try await host.apply(plugins: "[\(try entry("hostile", #"{"traceFile": \#(jsonString(trace.path)), "subscribe": "a.x,b.x,c.x"}"#))]")
        #expect(fits.first?.state == .running, "\(fits)")
        await host.shutdown()
    }

    @Test func theLimitsAreHostSettingsWithRanges() throws {
        let file = try PluginsFileLoader.parse(Array(#"{"host": {"busQueueCapacityBytes": 2097152, "maxTimers": 5, "maxCommands": 7}}"#.utf8),
                                               file: "plugins.json")
        #expect(file.host.busQueueCapacityBytes == 2_097_152)
        #expect(file.host.limits.timers == 5 && file.host.limits.commands == 7)
        #expect(file.host.limits.subscriptions == RegistrationLimits().subscriptions)
        #expect(PluginsFileLoader.render(file).contains(#""maxTimers": 5"#))
        #expect(throws: ConfigError.self) {
            try PluginsFileLoader.parse(Array(#"{"host": {"busQueueCapacityBytes": 1000}}"#.utf8), file: "plugins.json")
        }
    }
}
