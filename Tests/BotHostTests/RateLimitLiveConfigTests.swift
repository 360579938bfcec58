@testable import BotHost
import Foundation
import Testing

/// RateLimit under config edits: plugins.json is rewritten on disk under the running host and read
/// by its real watcher. New limits apply to the next check; usage counted so far is kept.
extension RateLimitTests {
    /// Also with RateLimit in a process of its own: config_changed crosses to it like any call.
    @Test(arguments: [false, true]) func newLimitsApplyToTheNextCheckWithoutARestart(isolated: Bool) async throws {
        let hostLog = CapturedLog()
        let config = { (burst: Int, maxDuration: Int) in
            #"{"limiters": {"command": {"rate": 1, "perSeconds": 3600, "burst": \#(burst)}}, "voice": {"maxDuration": \#(maxDuration)}}"#
        }
        let rig = try await Rig(config: config(1, 120_000), logger: hostLog.logger(), isolated: isolated)
        let file = try WatchedPluginsFile(host: rig.host, hostLog: hostLog, plugins: rig.plugins(config: config(1, 120_000)))
        #expect(await eventually { rig.host.starts(of: "ratelimit") == 1 })
        let acquire = #"{"key": "user:1", "limiter": "command"}"#
        let voice = #"{"userId": "1", "durationMs": 60000}"#
        #expect(try await rig.ask("ratelimit.acquire", acquire).allowed == true)
        #expect(try await rig.ask("ratelimit.acquire", acquire).allowed == false)
        #expect(try await rig.ask("ratelimit.voice.track", voice).allowed == true)

        // A burst of 3: the next acquisition passes. A 1-minute quota: the minute used is all of it.
        let applied = try await file.edit(plugins: rig.plugins(config: config(3, 60_000)), awaiting: "ratelimit")
        #expect(applied.contains("applied its new config"), "\(applied)")
        #expect(try await rig.ask("ratelimit.acquire", acquire).allowed == true)
        let check = try await rig.ask("ratelimit.voice.check", #"{"userId": "1"}"#)
        #expect(check.allowed == false && check.int("usedMs") == 60_000 && check.int("limitMs") == 60_000, "\(check.json)")

        // An invalid limiter is refused with its field; the limits in force stay.
        let refused = try await file.edit(plugins: rig.plugins(config: #"{"limiters": {"command": {"rate": 0, "perSeconds": 1, "burst": 1}}}"#),
                                          awaiting: "ratelimit")
        #expect(refused.contains("refused its new config"), "\(refused)")
        #expect(hostLog.all.contains { $0.contains("new config refused") && $0.contains("limiters.command.rate") }, "\(hostLog.all.suffix(5))")
        let after = try await rig.ask("ratelimit.acquire", acquire)
        #expect(after.allowed == true && after.int("remaining") == 1, "\(after.json)")
        #expect(try await rig.ask("ratelimit.voice.check", #"{"userId": "1"}"#).int("limitMs") == 60_000)
        #expect(rig.host.starts(of: "ratelimit") == 1, "the plugin was never restarted")
        await rig.host.shutdown()
    }
}
