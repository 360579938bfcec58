@testable import BotHost
import Foundation
import Logging
import Testing

/// The RateLimit plugin (libRateLimit.so) loaded into a real host, asked over the bus by the probe
/// plugin, on the host's manual clock: windows, resets and cleanup happen by advancing time.
@Suite struct RateLimitTests {
    /// A host running the ratelimit plugin with `config`, and the probe to ask it.
    struct Rig {
        let host: TestHost
        let trace: TraceFile

        /// Whether RateLimit runs in a process of its own.
        let isolated: Bool

        init(config: String = "{}", hostJSON: String = "{}", directory: URL? = nil,
             logger: Logger = Logger(label: "bothost"), isolated: Bool = false) async throws {
            self.isolated = isolated
            host = try TestHost(hostJSON: hostJSON, directory: directory, logger: logger)
            trace = TraceFile(in: host.directory, "probe-\(UUID().uuidString.prefix(6)).txt")
            libraries = (Fixtures.built("libRateLimit.so"), try Fixtures.fixture("probe"))
            try await host.apply(plugins: plugins(config: config))
        }

        /// The plugin libraries the host loaded (each a copy of its own; the same copy keeps a
        /// plugins.json entry unchanged).
        let libraries: (ratelimit: String, probe: String)

        /// The "plugins" array the rig runs, with RateLimit's config object `config`.
        func plugins(config: String) -> String {
            """
            [{"name": "ratelimit", "library": \(jsonString(libraries.ratelimit)), \(isolated ? #""isolation": "process","# : "") "config": \(config)},
             {"name": "probe", "library": \(jsonString(libraries.probe)),
              "config": {"traceFile": \(jsonString(trace.path)), "subscribe": "none.x"}}]
            """
        }

        /// One request through the probe; waits for its reply: (status, JSON object).
        func ask(_ topic: String, _ payload: String) async throws -> Answer {
            let before = replies.count
            try host.publish("probe.ask", "\(topic) 5000 \(payload)")
            guard await eventually({ replies.count > before }) else {
                throw Failure(description: "no reply to \(topic) \(payload); trace: \(trace.text)")
            }
            return replies[before]
        }

        /// Every reply the probe recorded, in order.
        var replies: [Answer] {
            trace.lines.compactMap(Answer.init(line:))
        }

        func command(_ line: String, userID: UInt64, permissions: UInt64 = 0) async throws -> (text: String, ephemeral: Bool) {
            let responder = RecordingResponder()
            let invocation = try LocalInvocation.parse(line, definitions: host.runtime.commands.definitions, userID: userID,
                                                       memberPermissions: permissions)
            try host.runtime.invokeCommand(invocation, responder: responder)
            guard await eventually({ responder.responses.count == 1 }), let response = responder.responses.first else {
                throw Failure(description: "no answer to \(line)")
            }
            let body = (try? JSONSerialization.jsonObject(with: Data(response.messageJSON))) as? [String: Any]
            return (body?["content"] as? String ?? "", response.isEphemeral)
        }

        /// The plugin's stored value for `key`, straight from the host's database.
        func stored(_ key: String) throws -> String? {
            try host.runtime.database.store(for: "ratelimit").get(key).map { String(decoding: $0, as: UTF8.self) }
        }

        func isStored(_ key: String) throws -> Bool {
            try stored(key) != nil
        }
    }

    struct Answer {
        let topic: String
        let status: Int
        let json: [String: Any]

        init?(line: String) {
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "reply", let status = Int(parts[2]) else { return nil }
            topic = String(parts[1])
            self.status = status
            json = ((try? JSONSerialization.jsonObject(with: Data(parts[3].utf8))) as? [String: Any]) ?? [:]
        }

        func int(_ key: String) -> Int64? { (json[key] as? NSNumber)?.int64Value }
        var allowed: Bool? { json["allowed"] as? Bool }
        var error: String { json["error"] as? String ?? "" }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000

    // MARK: limiter

    @Test func theLimiterAllowsTheBurstThenSpacesRequestsExactly() async throws {
        let rig = try await Rig(config: #"{"limiters": {"command": {"rate": 5, "perSeconds": 60, "burst": 5}}}"#)
        let acquire = #"{"key": "user:1", "limiter": "command"}"#
        for remaining in (0...4).reversed() {
            let answer = try await rig.ask("ratelimit.acquire", acquire)
            #expect(answer.status == 0 && answer.allowed == true && answer.int("remaining") == Int64(remaining), "\(answer.json)")
        }
        // The burst is spent: one more every 60 s / 5 = 12 s, to the millisecond.
        var denied = try await rig.ask("ratelimit.acquire", acquire)
        #expect(denied.allowed == false && denied.int("retryAfterMs") == 12_000 && denied.int("remaining") == 0, "\(denied.json)")
        #expect(denied.int("resetAfterMs") == 60_000)
        rig.host.advance(ms: 11_999)
        denied = try await rig.ask("ratelimit.acquire", acquire)
        #expect(denied.allowed == false && denied.int("retryAfterMs") == 1, "\(denied.json)")
        rig.host.advance(ms: 1)
        let spaced = try await rig.ask("ratelimit.acquire", acquire)
        #expect(spaced.allowed == true && spaced.int("remaining") == 0, "\(spaced.json)")
        #expect(try await rig.ask("ratelimit.acquire", acquire).allowed == false)

        // Keys are independent; cost 0 only asks; a cost takes that many units at once.
        let peek = try await rig.ask("ratelimit.acquire", #"{"key": "user:2", "limiter": "command", "cost": 0}"#)
        #expect(peek.allowed == true && peek.int("remaining") == 5)
        let three = try await rig.ask("ratelimit.acquire", #"{"key": "user:2", "limiter": "command", "cost": 3}"#)
        #expect(three.allowed == true && three.int("remaining") == 2)
        let tooMany = try await rig.ask("ratelimit.acquire", #"{"key": "user:2", "limiter": "command", "cost": 3}"#)
        #expect(tooMany.allowed == false && tooMany.int("retryAfterMs") == 12_000 && tooMany.int("remaining") == 2)

        // A full minute later every key is back to its full burst.
        rig.host.advance(ms: 60_000)
        #expect(try await rig.ask("ratelimit.acquire", #"{"key": "user:1", "limiter": "command", "cost": 5}"#).allowed == true)
        await rig.host.shutdown()
    }

    @Test func inlineAndDefaultLimitersWork() async throws {
        let rig = try await Rig()
        // Inline: 2 per second, burst 1 → a pure cooldown of 500 ms.
        let inline = #"{"key": "ping", "rate": 2, "perSeconds": 1, "burst": 1}"#
        #expect(try await rig.ask("ratelimit.acquire", inline).allowed == true)
        let cooling = try await rig.ask("ratelimit.acquire", inline)
        #expect(cooling.allowed == false && cooling.int("retryAfterMs") == 500)
        rig.host.advance(ms: 500)
        #expect(try await rig.ask("ratelimit.acquire", inline).allowed == true)
        // Periods that do not divide evenly stay exact: 3 per second is one every 333⅓ ms.
        let thirds = #"{"key": "t", "rate": 3, "perSeconds": 1, "burst": 1}"#
        #expect(try await rig.ask("ratelimit.acquire", thirds).allowed == true)
        #expect(try await rig.ask("ratelimit.acquire", thirds).int("retryAfterMs") == 334)
        rig.host.advance(ms: 333)
        #expect(try await rig.ask("ratelimit.acquire", thirds).allowed == false)
        rig.host.advance(ms: 1)
        #expect(try await rig.ask("ratelimit.acquire", thirds).allowed == true)
        // No limiter named: the built-in "default" (5 per 60 s, burst 5).
        let first = try await rig.ask("ratelimit.acquire", #"{"key": "x"}"#)
        #expect(first.allowed == true && first.int("remaining") == 4)
        await rig.host.shutdown()
    }

    @Test func idleLimiterKeysAreSweptAway() async throws {
        let rig = try await Rig(config: #"{"sweepInterval": 1000, "limiters": {"slow": {"rate": 1, "perSeconds": 10}}}"#)
        for i in 0..<20 { _ = try await rig.ask("ratelimit.acquire", #"{"key": "k\#(i)", "limiter": "slow"}"#) }
        #expect(try await rig.ask("ratelimit.stats", "{}").int("limiterKeys") == 20)
        rig.host.advance(ms: 5_000)  // swept, but every key is still cooling down
        #expect(try await rig.ask("ratelimit.stats", "{}").int("limiterKeys") == 20)
        rig.host.advance(ms: 5_000)  // back to full burst: nothing left to remember
        #expect(try await eventually { try await rig.ask("ratelimit.stats", "{}").int("limiterKeys") == 0 })
        await rig.host.shutdown()
    }

    @Test func manyConcurrentRequestsAreAnsweredCorrectly() async throws {
        let rig = try await Rig(config: #"{"limiters": {"burst50": {"rate": 50, "perSeconds": 3600}}}"#)
        // 400 requests in flight at once: 300 on one key, 100 tracks of 1 s for one user.
        for i in 0..<400 {
            if i % 4 == 3 {
                try rig.host.publish("probe.ask", #"ratelimit.voice.track 10000 {"userId": "77", "durationMs": 1000}"#)
            } else {
                try rig.host.publish("probe.ask", #"ratelimit.acquire 10000 {"key": "hot", "limiter": "burst50"}"#)
            }
        }
        #expect(await eventually { rig.replies.count == 400 }, "\(rig.replies.count) replies")
        let replies = rig.replies
        #expect(replies.allSatisfy { $0.status == 0 })
        let acquisitions = replies.filter { $0.topic == "ratelimit.acquire" }
        #expect(acquisitions.count == 300)
        #expect(acquisitions.filter { $0.allowed == true }.count == 50)
        // Each allowed answer saw a distinct remaining count: 49 … 0.
        #expect(Set(acquisitions.filter { $0.allowed == true }.compactMap { $0.int("remaining") }) == Set(0...49))
        let tracks = replies.filter { $0.topic == "ratelimit.voice.track" }
        #expect(Set(tracks.compactMap { $0.int("usedMs") }) == Set(stride(from: 1000, through: 100_000, by: 1000)))
        let check = try await rig.ask("ratelimit.voice.check", #"{"userId": "77"}"#)
        #expect(check.int("usedMs") == 100_000)
        await rig.host.shutdown()
    }

    // MARK: voice usage

    @Test func voiceUsageIsCappedAndTheWindowResets() async throws {
        let rig = try await Rig()  // seed defaults: 2 h cap, 1 h window
        let start = rig.host.runtime.clock.nowMs()
        var status = try await rig.ask("ratelimit.voice.check", #"{"guildId": "1", "userId": "500"}"#)
        #expect(status.allowed == true && status.int("usedMs") == 0 && status.int("remainingMs") == 2 * Self.hour)
        #expect(status.int("limitMs") == 2 * Self.hour)

        status = try await rig.ask("ratelimit.voice.track", #"{"userId": "500", "durationMs": 5400000}"#)
        #expect(status.allowed == true && status.int("usedMs") == 90 * Self.minute && status.int("remainingMs") == 30 * Self.minute)
        #expect(status.int("resetsAtMs") == start + Self.hour)

        rig.host.advance(ms: 10 * Self.minute)
        status = try await rig.ask("ratelimit.voice.track", #"{"userId": "500", "durationMs": 2700000}"#)
        #expect(status.allowed == false && status.int("usedMs") == 2 * Self.hour && status.int("remainingMs") == 0, "capped: \(status.json)")
        status = try await rig.ask("ratelimit.voice.check", #"{"userId": "500"}"#)
        #expect(status.allowed == false && status.int("resetsAtMs") == start + Self.hour)

        // Just before the window ends the cap holds; once resetTime has passed, usage is back to 0.
        rig.host.advance(ms: 50 * Self.minute - 1)
        #expect(try await rig.ask("ratelimit.voice.check", #"{"userId": "500"}"#).allowed == false)
        rig.host.advance(ms: 1)
        status = try await rig.ask("ratelimit.voice.check", #"{"userId": "500"}"#)
        #expect(status.allowed == true && status.int("usedMs") == 0)
        // The next use opens a new window, reset an hour from now.
        status = try await rig.ask("ratelimit.voice.track", #"{"userId": "500", "durationMs": 60000}"#)
        #expect(status.int("usedMs") == Self.minute && status.int("resetsAtMs") == start + 2 * Self.hour)
        // Another user is unaffected.
        #expect(try await rig.ask("ratelimit.voice.check", #"{"userId": "501"}"#).int("usedMs") == 0)
        await rig.host.shutdown()
    }

    @Test func perGuildUsageNeedsAGuildAndKeepsGuildsApart() async throws {
        let rig = try await Rig(config: #"{"voice": {"perGuild": true, "maxDuration": 600000}}"#)
        let missing = try await rig.ask("ratelimit.voice.track", #"{"userId": "9", "durationMs": 1000}"#)
        #expect(missing.status == 100 && missing.error.contains("guildId"))
        #expect(try await rig.ask("ratelimit.voice.track", #"{"guildId": "1", "userId": "9", "durationMs": 600000}"#).allowed == false)
        #expect(try await rig.ask("ratelimit.voice.check", #"{"guildId": "2", "userId": "9"}"#).allowed == true)
        await rig.host.shutdown()
    }

    @Test func idleUsersAreDroppedByTheCleanupTimer() async throws {
        let rig = try await Rig(config: #"{"voice": {"cleanupInterval": 60000}}"#)  // threshold: 3 h
        _ = try await rig.ask("ratelimit.voice.track", #"{"userId": "1", "durationMs": 1000}"#)
        rig.host.advance(ms: 2 * Self.hour)
        _ = try await rig.ask("ratelimit.voice.track", #"{"userId": "2", "durationMs": 1000}"#)
        #expect(try rig.isStored("voice.1") && rig.isStored("voice.2"))
        #expect(try await rig.ask("ratelimit.stats", "{}").int("voiceUsers") == 2)

        // User 1 has now been idle for 3 h + 1 min; user 2 only for 1 h + 1 min.
        rig.host.advance(ms: Self.hour + Self.minute)
        #expect(try await eventually { try !rig.isStored("voice.1") })
        #expect(try rig.isStored("voice.2"))
        #expect(try await rig.ask("ratelimit.stats", "{}").int("voiceUsers") == 1)
        await rig.host.shutdown()
    }

    @Test func cleanupNeverHandsOutAFreshQuotaEarly() async throws {
        // A window longer than the idle threshold: the user is kept until the window ends.
        let rig = try await Rig(config: #"{"voice": {"resetTime": 14400000, "cleanupThreshold": 3600000, "cleanupInterval": 60000}}"#)
        _ = try await rig.ask("ratelimit.voice.track", #"{"userId": "3", "durationMs": 7200000}"#)
        rig.host.advance(ms: 2 * Self.hour)
        #expect(try await rig.ask("ratelimit.voice.check", #"{"userId": "3"}"#).allowed == false)
        rig.host.advance(ms: 2 * Self.hour)
        #expect(try await rig.ask("ratelimit.voice.check", #"{"userId": "3"}"#).allowed == true)
        #expect(try await eventually { try !rig.isStored("voice.3") })
        await rig.host.shutdown()
    }

    @Test func usagePersistsAcrossARestart() async throws {
        let directory = Fixtures.temporaryDirectory("ratelimit-restart")
        do {
            let rig = try await Rig(directory: directory)
            let tracked = try await rig.ask("ratelimit.voice.track", #"{"userId": "42", "durationMs": 7200000}"#)
            #expect(tracked.allowed == false)
            _ = try await rig.ask("ratelimit.voice.track", #"{"userId": "43", "durationMs": 1800000}"#)
            await rig.host.shutdown()
        }
        // A new host process on the same data: no fresh quota.
        let rig = try await Rig(directory: directory)
        let exhausted = try await rig.ask("ratelimit.voice.check", #"{"userId": "42"}"#)
        #expect(exhausted.allowed == false && exhausted.int("usedMs") == 2 * Self.hour)
        let partial = try await rig.ask("ratelimit.voice.track", #"{"userId": "43", "durationMs": 60000}"#)
        #expect(partial.int("usedMs") == 31 * Self.minute)
        // The restored window still ends on time.
        rig.host.advance(ms: Self.hour)
        #expect(try await rig.ask("ratelimit.voice.check", #"{"userId": "42"}"#).allowed == true)
        await rig.host.shutdown()
    }

    // MARK: bad input

    @Test func malformedRequestsGetAnErrorNamingTheProblem() async throws {
        let rig = try await Rig(config: #"{"limiters": {"command": {"rate": 5, "perSeconds": 60}}}"#)
        let cases: [(topic: String, payload: String, expected: String)] = [
            ("ratelimit.acquire", "", "empty"),
            ("ratelimit.acquire", "{not json", "not valid JSON"),
            ("ratelimit.acquire", "[1, 2]", "must be a JSON object"),
            ("ratelimit.acquire", #""key""#, "must be a JSON object"),
            ("ratelimit.acquire", #"{"limiter": "command"}"#, #""key" is required"#),
            ("ratelimit.acquire", #"{"key": 7}"#, #""key" must be a string, got 7"#),
            ("ratelimit.acquire", #"{"key": ""}"#, #""key" must be 1 to 256 bytes"#),
            ("ratelimit.acquire", #"{"key": "\#(String(repeating: "k", count: 257))"}"#, #""key" must be 1 to 256 bytes"#),
            ("ratelimit.acquire", #"{"key": "a", "cost": -1}"#, #""cost" must be ≥ 0"#),
            ("ratelimit.acquire", #"{"key": "a", "cost": 1.5}"#, #""cost" must be a whole number"#),
            ("ratelimit.acquire", #"{"key": "a", "cost": "2"}"#, #""cost" must be a whole number, got "2""#),
            ("ratelimit.acquire", #"{"key": "a", "cost": 6, "limiter": "command"}"#, #""cost" is 6, more than the limiter's burst of 5"#),
            ("ratelimit.acquire", #"{"key": "a", "limiter": "nope"}"#, #""limiter" names no configured limiter: "nope"; configured: command, default"#),
            ("ratelimit.acquire", #"{"key": "a", "limiter": "command", "rate": 1, "perSeconds": 1}"#, #""limiter" cannot be combined"#),
            ("ratelimit.acquire", #"{"key": "a", "rate": 1}"#, #""perSeconds" is required"#),
            ("ratelimit.acquire", #"{"key": "a", "rate": 0, "perSeconds": 1}"#, #""rate" must be a whole number from 1"#),
            ("ratelimit.acquire", #"{"key": "a", "rate": 1, "perSeconds": 0}"#, #""perSeconds" must be from 0.001"#),
            ("ratelimit.voice.check", "{}", #""userId" is required"#),
            ("ratelimit.voice.check", #"{"userId": 80351110224678912}"#, #""userId" must be a snowflake written as a string of digits"#),
            ("ratelimit.voice.check", #"{"userId": "abc"}"#, #""userId" must be a snowflake"#),
            ("ratelimit.voice.check", #"{"userId": "1", "guildId": "-4"}"#, #""guildId" must be a snowflake"#),
            ("ratelimit.voice.track", #"{"userId": "1"}"#, #""durationMs" is required"#),
            ("ratelimit.voice.track", #"{"userId": "1", "durationMs": -5}"#, #""durationMs" must be ≥ 0, got -5"#),
            ("ratelimit.voice.track", #"{"userId": "1", "durationMs": true}"#, #""durationMs" must be a whole number, got true"#),
            ("ratelimit.voice.track", #"{"userId": "1", "durationMs": 1e300}"#, #""durationMs" must be a whole number"#),
        ]
        for (topic, payload, expected) in cases {
            let answer = try await rig.ask(topic, payload)
            #expect(answer.status == 100, "\(topic) \(payload): status \(answer.status)")
            #expect(answer.error.contains(expected), "\(topic) \(payload): \(answer.error)")
        }
        // Still running, still answering.
        #expect(await rig.host.status("ratelimit")?.state == .running)
        #expect(try await rig.ask("ratelimit.acquire", #"{"key": "a", "limiter": "command"}"#).allowed == true)
        #expect(try await rig.ask("ratelimit.voice.check", #"{"userId": "1"}"#).allowed == true)
        await rig.host.shutdown()
    }

    @Test func aBadConfigIsRefusedNamingTheKey() async throws {
        let cases: [(config: String, expected: String)] = [
            (#"{"voice": {"maxDuration": -1}}"#, #""voice.maxDuration" must be a number of milliseconds"#),
            (#"{"voice": {"resetTime": "1h"}}"#, #""voice.resetTime" must be a whole number, got "1h""#),
            (#"{"voices": {}}"#, #""voices" is not a known key"#),
            (#"{"limiters": {"cmd": {"rate": 0, "perSeconds": 1}}}"#, #""limiters.cmd.rate" must be a whole number from 1"#),
            (#"{"limiters": {"cmd": {"rate": 1}}}"#, #""limiters.cmd.perSeconds" is required"#),
            (#"{"limiters": {"cmd": {"rate": 1, "perSeconds": 1, "brust": 2}}}"#, #""limiters.cmd.brust" is not a known key"#),
            (#"{"limiters": {"a b": {"rate": 1, "perSeconds": 1}}}"#, "not a valid limiter name"),
            (#"{"sweepInterval": 0}"#, #""sweepInterval" must be"#),
        ]
        for (config, expected) in cases {
            let host = try TestHost()
            let statuses = try await host.apply(plugins: """
                [{"name": "ratelimit", "library": \(jsonString(Fixtures.built("libRateLimit.so"))), "config": \(config)}]
                """)
            guard case .refused(let refusal)? = statuses.first?.state else {
                Issue.record("config \(config) was accepted")
                await host.shutdown()
                continue
            }
            #expect(refusal.kind == .initFailed)
            #expect(refusal.cause.contains(expected), "\(config): \(refusal.cause)")
            await host.shutdown()
        }
    }

    // MARK: commands

    @Test func usageShowsWhatRemainsEphemerally() async throws {
        let rig = try await Rig()
        var usage = try await rig.command("/usage", userID: 77)
        #expect(usage.ephemeral)
        #expect(usage.text.contains("no voice time"), "\(usage.text)")

        _ = try await rig.ask("ratelimit.voice.track", #"{"userId": "77", "durationMs": 1800000}"#)
        rig.host.advance(ms: 15 * Self.minute)
        usage = try await rig.command("/usage", userID: 77)
        #expect(usage.ephemeral)
        #expect(usage.text.contains("30m 00s of 2h 00m"), "\(usage.text)")
        #expect(usage.text.contains("1h 30m left"), "\(usage.text)")
        let resetsAt = (rig.host.runtime.clock.nowMs() + 45 * Self.minute) / 1000
        #expect(usage.text.contains("<t:\(resetsAt):R>") && usage.text.contains("in 45m 00s"), "\(usage.text)")

        _ = try await rig.ask("ratelimit.voice.track", #"{"userId": "77", "durationMs": 7200000}"#)
        usage = try await rig.command("/usage", userID: 77)
        #expect(usage.text.contains("used all 2h 00m"), "\(usage.text)")
        await rig.host.shutdown()
    }

    @Test func resetIsForAdministratorsOnly() async throws {
        let rig = try await Rig(hostJSON: #"{"owners": ["42"]}"#)
        func exhaust() async throws {
            let status = try await rig.ask("ratelimit.voice.track", #"{"userId": "77", "durationMs": 7200000}"#)
            #expect(status.allowed == false)
        }
        func allowed() async throws -> Bool? {
            try await rig.ask("ratelimit.voice.check", #"{"userId": "77"}"#).allowed
        }
        try await exhaust()

        // An ordinary member (even with other permissions, e.g. MANAGE_CHANNELS 1<<4) is refused.
        let refusal = try await rig.command("/ratelimit reset user:77", userID: 5, permissions: 1 << 4 | 1 << 10)
        #expect(refusal.ephemeral && refusal.text.contains("Only the bot's owners"), "\(refusal.text)")
        #expect(try await allowed() == false)
        #expect(try rig.isStored("voice.77"))

        // MANAGE_GUILD (1<<5) may reset.
        let byManager = try await rig.command("/ratelimit reset user:77", userID: 6, permissions: 1 << 5)
        #expect(byManager.ephemeral && byManager.text.contains("Reset the voice usage of <@77> (2h 00m used)"), "\(byManager.text)")
        #expect(try await allowed() == true)
        #expect(try !rig.isStored("voice.77"))
        #expect(rig.host.events("ratelimit.voice.reset").first?.contains(#""byUserId":"6""#) == true)

        // So may ADMINISTRATOR (1<<3), and an owner with no permissions at all.
        try await exhaust()
        #expect(try await rig.command("/ratelimit reset user:77", userID: 7, permissions: 1 << 3).text.contains("Reset"))
        #expect(try await allowed() == true)
        try await exhaust()
        #expect(try await rig.command("/ratelimit reset user:77", userID: 42).text.contains("Reset"))
        #expect(try await allowed() == true)
        #expect(try await rig.command("/ratelimit reset user:77", userID: 42).text.contains("had no voice usage"))
        await rig.host.shutdown()
    }
}
