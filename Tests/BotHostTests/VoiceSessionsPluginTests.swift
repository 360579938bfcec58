@testable import BotHost
import Foundation
import Testing

/// The VoiceSessions plugin (libVoiceSessions.so) in a real host on the manual clock, with the real
/// RateLimit plugin serving quotas over the bus. This host has no voice transport yet, so these
/// tests cover everything before a voice connection: commands, refusals, quotas, config.
@Suite struct VoiceSessionsPluginTests {
    static let guild: UInt64 = 1  // LocalInvocation's default guild
    static let user: UInt64 = 500
    static let voiceChannel: UInt64 = 700

    struct Rig {
        let host: TestHost
        let trace: TraceFile

        /// `ratelimit`: the RateLimit plugin's config, or nil to run without it.
        init(config: String = "{}", ratelimit: String? = "{}") async throws {
            host = try TestHost()
            trace = TraceFile(in: host.directory, "probe-\(UUID().uuidString.prefix(6)).txt")
            var entries = [
                #"{"name": "voicesessions", "library": \#(jsonString(Fixtures.built("libVoiceSessions.so"))), "config": \#(config)}"#,
                #"{"name": "probe", "library": \#(jsonString(try Fixtures.fixture("probe"))), "config": {"traceFile": \#(jsonString(trace.path)), "subscribe": "none.x"}}"#,
            ]
            if let ratelimit {
                entries.append(#"{"name": "ratelimit", "library": \#(jsonString(Fixtures.built("libRateLimit.so"))), "config": \#(ratelimit)}"#)
            }
            try await host.apply(plugins: "[" + entries.joined(separator: ",") + "]")
        }

        /// Runs a command line as `user` and returns the plugin's answer.
        func command(_ line: String, user: UInt64 = VoiceSessionsPluginTests.user) async throws -> (text: String, ephemeral: Bool) {
            let responder = RecordingResponder()
            let invocation = try LocalInvocation.parse(line, definitions: host.runtime.commands.definitions, userID: user,
                                                       guildID: VoiceSessionsPluginTests.guild)
            try host.runtime.invokeCommand(invocation, responder: responder)
            guard await eventually({ responder.responses.count == 1 }), let response = responder.responses.first else {
                throw Failure(description: "no answer to \(line)")
            }
            let body = (try? JSONSerialization.jsonObject(with: Data(response.messageJSON))) as? [String: Any]
            return (body?["content"] as? String ?? "", response.isEphemeral)
        }

        /// Puts `user` in a voice channel, as the gateway would tell the host.
        func userJoinsVoice(_ user: UInt64 = VoiceSessionsPluginTests.user, channel: UInt64 = VoiceSessionsPluginTests.voiceChannel) throws {
            try host.publish("discord.VOICE_STATE_UPDATE",
                             #"{"guild_id": "\#(VoiceSessionsPluginTests.guild)", "user_id": "\#(user)", "channel_id": "\#(channel)", "session_id": "s", "deaf": false, "mute": false}"#)
        }

        /// Adds voice time through RateLimit itself, as another plugin would, and waits for it.
        func track(_ durationMs: Int64, user: UInt64 = VoiceSessionsPluginTests.user) async throws {
            let before = trace.lines.count
            try host.publish("probe.ask", #"ratelimit.voice.track 5000 {"userId": "\#(user)", "guildId": "\#(VoiceSessionsPluginTests.guild)", "durationMs": \#(durationMs)}"#)
            guard await eventually({ trace.lines.count > before }), trace.lines.last?.hasPrefix("reply ratelimit.voice.track 0 ") == true else {
                throw Failure(description: "RateLimit did not take the voice time: \(trace.text)")
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    @Test func itLoadsAsARealLibraryAndDeclaresTheIntentsItNeeds() async throws {
        let rig = try await Rig()
        #expect(await rig.host.status("voicesessions")?.state == .running)
        #expect(rig.host.runtime.commands.definitions["voice"] != nil)
        let intents = rig.host.runtime.gatewayIntents
        #expect(intents & (1 << 0) != 0, "GUILDS, for GUILD_CREATE voice_states")
        #expect(intents & (1 << 7) != 0, "GUILD_VOICE_STATES, for VOICE_STATE_UPDATE")
        await rig.host.shutdown()
    }

    @Test func joinWithoutADiscordConnectionExplainsItselfAndStartsNothing() async throws {
        let rig = try await Rig()
        // Not in a voice channel yet: the user is told what to do first.
        let notInVoice = try await rig.command("/voice join")
        #expect(notInVoice.ephemeral && notInVoice.text.contains("Join a voice channel first"), "\(notInVoice.text)")

        try rig.userJoinsVoice()
        let answer = try await rig.command("/voice join")
        #expect(answer.ephemeral)
        #expect(answer.text.contains("no Discord voice connection"), "\(answer.text)")
        #expect(rig.host.events("voice.session.started").isEmpty)
        // The plugin is still there and answers the next command.
        #expect(await rig.host.status("voicesessions")?.state == .running)
        #expect(try await rig.command("/voice leave").text.contains("no voice session"))
        await rig.host.shutdown()
    }

    @Test func anExhaustedQuotaRefusesTheSessionThroughTheRealRateLimitPlugin() async throws {
        let rig = try await Rig(ratelimit: #"{"voice": {"maxDuration": 60000, "resetTime": 3600000}}"#)
        try rig.userJoinsVoice()
        try rig.userJoinsVoice(501)
        try await rig.track(60_000)

        let refused = try await rig.command("/voice join")
        #expect(refused.ephemeral)
        #expect(refused.text.contains("You have used all 1m 00s of your voice time") && refused.text.contains("resets"), "\(refused.text)")
        #expect(!refused.text.contains("no Discord voice connection"), "the quota is asked before anything else is tried")

        // Someone with time left gets past the quota (and then meets this host's lack of voice).
        let other = try await rig.command("/voice join", user: 501)
        #expect(other.text.contains("no Discord voice connection"), "\(other.text)")

        // The window resets on the host clock, and the same user is let through.
        rig.host.advance(ms: 3_600_000)
        #expect(try await rig.command("/voice join").text.contains("no Discord voice connection"))
        await rig.host.shutdown()
    }

    @Test func withoutRateLimitSessionsAreRefusedUnlessTheOperatorAllowsThem() async throws {
        let strict = try await Rig(ratelimit: nil)
        try strict.userJoinsVoice()
        let refused = try await strict.command("/voice join")
        #expect(refused.ephemeral && refused.text.contains("quota service is not answering"), "\(refused.text)")
        #expect(refused.text.contains("ratelimit plugin") && refused.text.contains("quota.whenUnavailable"))
        await strict.host.shutdown()

        let lenient = try await Rig(config: #"{"quota": {"whenUnavailable": "allow"}}"#, ratelimit: nil)
        try lenient.userJoinsVoice()
        let allowed = try await lenient.command("/voice join")
        #expect(allowed.text.contains("no Discord voice connection"), "allowed past the quota: \(allowed.text)")
        await lenient.host.shutdown()
    }

    @Test func statusIsEphemeralAndShowsTheSessionVoiceSupportAndVoiceTime() async throws {
        let rig = try await Rig()
        var status = try await rig.command("/voice status")
        #expect(status.ephemeral)
        #expect(status.text.contains("You have no voice session in this server"), "\(status.text)")
        #expect(!status.text.contains("Voice is not available"), "this host has voice: \(status.text)")
        #expect(status.text.contains("Voice time: 0s used of 2h 00m"), "\(status.text)")

        try await rig.track(5_400_000)
        status = try await rig.command("/voice status")
        #expect(status.text.contains("1h 30m used of 2h 00m, 30m 00s left"), "\(status.text)")
        await rig.host.shutdown()

        let alone = try await Rig(ratelimit: nil)
        #expect(try await alone.command("/voice status").text.contains("Voice time: unknown"))
        await alone.host.shutdown()
    }

    @Test func playRefusesPathTraversalAndNamesOnlyFilesOfItsFolder() async throws {
        let root = Fixtures.temporaryDirectory("voicesessions-play")
        let sounds = root.appendingPathComponent("sounds")
        try FileManager.default.createDirectory(at: sounds, withIntermediateDirectories: true)
        try Data([0x4F, 0x67, 0x67, 0x53]).write(to: sounds.appendingPathComponent("welcome.opus"))
        try Data("secret".utf8).write(to: root.appendingPathComponent("secret.opus"))
        try FileManager.default.createSymbolicLink(atPath: sounds.appendingPathComponent("link.opus").path,
                                                   withDestinationPath: root.appendingPathComponent("secret.opus").path)
        let rig = try await Rig(config: #"{"playback": {"directory": \#(jsonString(sounds.path))}}"#)

        for name in ["../secret.opus", "..", "../../etc/passwd", "sub/welcome.opus", ".hidden.opus"] {
            let answer = try await rig.command("/voice play file:\(name)")
            #expect(answer.ephemeral && answer.text.contains("That file name is refused"), "\(name): \(answer.text)")
        }
        let escaping = try await rig.command("/voice play file:link.opus")
        #expect(escaping.text.contains("points outside the playback folder"), "\(escaping.text)")
        let missing = try await rig.command("/voice play file:nope.opus")
        #expect(missing.text.contains("no file named nope.opus") && missing.text.contains("Available: link.opus, welcome.opus"), "\(missing.text)")
        let text = try await rig.command("/voice play file:readme.txt")
        #expect(text.text.contains("That file type is refused"))
        // A good name still needs a session to play in.
        let noSession = try await rig.command("/voice play file:welcome.opus")
        #expect(noSession.text.contains("start one with /voice join first"), "\(noSession.text)")
        await rig.host.shutdown()

        let unset = try await Rig()
        #expect(try await unset.command("/voice play file:welcome.opus").text.contains("playback.directory"))
        await unset.host.shutdown()
    }

    @Test func aBadConfigIsRefusedWithTheFieldAndTheFix() async throws {
        let host = try TestHost()
        let statuses = try await host.apply(plugins: """
            [{"name": "voicesessions", "library": \(jsonString(Fixtures.built("libVoiceSessions.so"))),
              "config": {"quota": {"whenUnavailable": "sometimes"}}}]
            """)
        guard case .refused(let refusal)? = statuses.first?.state else {
            Issue.record("a bad config was accepted: \(String(describing: statuses.first?.state))")
            return
        }
        #expect(refusal.kind == .initFailed)
        #expect(refusal.cause.contains("quota.whenUnavailable") && refusal.cause.contains("\"refuse\""), "\(refusal.cause)")
        await host.shutdown()
    }

    @Test func usersLeavingVoiceAreTrackedAndStoppingThePluginIsClean() async throws {
        let rig = try await Rig()
        try rig.userJoinsVoice()
        try rig.host.publish("discord.VOICE_STATE_UPDATE",
                             #"{"guild_id": "\#(Self.guild)", "user_id": "\#(Self.user)", "channel_id": null}"#)
        let answer = try await rig.command("/voice join")
        #expect(answer.text.contains("Join a voice channel first"), "the user left: \(answer.text)")
        // A GUILD_CREATE's voice states put them back.
        try rig.host.publish("discord.GUILD_CREATE", #"{"id": "\#(Self.guild)", "voice_states": [{"user_id": "\#(Self.user)", "channel_id": "701"}]}"#)
        #expect(try await rig.command("/voice join").text.contains("no Discord voice connection"))

        try await rig.host.apply(plugins: "[]")
        #expect(await eventually { rig.host.events("host.plugin.stopped").contains { $0.contains("voicesessions") } })
        #expect(rig.host.events("voice.session.ended").isEmpty, "no session had started")
        await rig.host.shutdown()
    }
}
