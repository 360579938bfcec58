import AudioFiles
@testable import BotHost
import DiscordEmulator
import Foundation
import Synchronization
import BotHostTestSupport
import Testing

/// The VoiceSessions plugin (libVoiceSessions.so) end to end: the real host on its manual clock,
/// the real RateLimit plugin, and the local Discord (gateway, REST and voice server on loopback).
/// Commands come through the gateway as real interactions, the bot really joins the voice channel,
/// simulated users really speak, and what the bot sends is decrypted and decoded by the emulator.
@Suite(.serialized) struct VoiceSessionsEndToEndTests {
    static let guild: UInt64 = 2000
    static let textChannel: UInt64 = 2001
    static let voiceChannel: UInt64 = 2002
    static let user: UInt64 = 3000
    static let otherUser: UInt64 = 3001
    static let bot: UInt64 = 1001

    /// Short timings so a test drives whole sessions with a few clock steps.
    static let timing = #""monitorInterval": 1000, "sessionTimeout": 5000, "cleanupDelay": 1000"#

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    final class Rig: Sendable {
        let emulator: DiscordEmulator
        let host: TestHost
        let connection: DiscordConnection
        let probe: TraceFile
        /// The host's speaking events ("speaking <user> <1|0>"), seen beside the plugins'.
        let speaking = FiredLog()
        /// Everything the host and the plugins logged.
        let hostLog = CapturedLog()
        /// RateLimit's config, as the rig started it.
        let ratelimitConfig: String
        /// The plugin libraries the host loaded (each a copy of its own; the same copy keeps a
        /// plugins.json entry unchanged).
        let libraries: Libraries

        struct Libraries: Sendable {
            let voice = Fixtures.built("libVoiceSessions.so")
            let ratelimit = Fixtures.built("libRateLimit.so")
            let probe: String
        }
        private let discordStopped = Atomic<Bool>(false)

        /// `config`: the plugin's config object members, after the common timings.
        init(config: String = "", ratelimit: String = "{}") async throws {
            var configuration = EmulatorConfiguration()
            configuration.guilds = [EmulatedGuild(
                id: VoiceSessionsEndToEndTests.guild, name: "Sandbox",
                channels: [EmulatedChannel(id: VoiceSessionsEndToEndTests.textChannel, name: "general", kind: .text),
                           EmulatedChannel(id: VoiceSessionsEndToEndTests.voiceChannel, name: "Lounge", kind: .voice)],
                members: [EmulatedUser(id: VoiceSessionsEndToEndTests.user, username: "sandbox-user"),
                          EmulatedUser(id: VoiceSessionsEndToEndTests.otherUser, username: "other-user")],
                ownerID: VoiceSessionsEndToEndTests.user)]
            // The host runs its voice connection (heartbeats, zombie detection) on the manual clock,
            // while the emulator expects heartbeats in real time. An hour-long interval keeps both out
            // of the way: the tests advance the host clock by seconds, so the host never beats, and
            // the emulator's timeout (twice the interval, real time) never runs out during a test.
            configuration.voice.heartbeatIntervalMs = 3_600_000
            emulator = DiscordEmulator(configuration)
            try await emulator.start()
            host = try TestHost(logger: hostLog.logger())
            probe = TraceFile(in: host.directory, "probe.txt")
            ratelimitConfig = ratelimit
            let libraries = Libraries(probe: try Fixtures.fixture("probe"))
            self.libraries = libraries
            let speaking = self.speaking
            host.runtime.voiceListeners.add(events: .init(guildID: 0) { event in
                if event.kind == .speaking { speaking.add("speaking \(event.userID) \(event.speaking)") }
            }, id: .max)
            let pluginConfig = "{" + VoiceSessionsEndToEndTests.timing + (config.isEmpty ? "" : ", " + config) + "}"
            try await host.apply(plugins: Self.plugins(voiceConfig: pluginConfig, ratelimit: ratelimit, probe: probe, libraries: libraries))
            let settings = DiscordSettings(token: DiscordToken("sandbox-token"), apiBaseURL: emulator.apiBaseURL,
                                           gatewayURL: emulator.gatewayURL, commandGuilds: [VoiceSessionsEndToEndTests.guild])
            connection = try DiscordConnection(settings: settings, runtime: host.runtime)
            try await connection.start(intents: await host.manager.gatewayIntents)
        }

        /// The "plugins" array the rig runs, with VoiceSessions' config object `voiceConfig`.
        func plugins(voiceConfig: String) -> String {
            Self.plugins(voiceConfig: voiceConfig, ratelimit: ratelimitConfig, probe: probe, libraries: libraries)
        }

        static func plugins(voiceConfig: String, ratelimit: String, probe: TraceFile, libraries: Libraries) -> String {
            """
            [{"name": "voicesessions", "library": \(jsonString(libraries.voice)), "config": \(voiceConfig)},
             {"name": "ratelimit", "library": \(jsonString(libraries.ratelimit)), "config": \(ratelimit)},
             {"name": "probe", "library": \(jsonString(libraries.probe)), "config": {"traceFile": \(jsonString(probe.path)), "subscribe": "none.x"}}]
            """
        }

        /// plugins.json on disk as the rig runs it (common timings only), watched by the host.
        func watchPluginsFile() throws -> WatchedPluginsFile {
            try WatchedPluginsFile(host: host, hostLog: hostLog,
                                   plugins: plugins(voiceConfig: "{" + VoiceSessionsEndToEndTests.timing + "}"))
        }

        /// Stops the host's Discord connection (once).
        func stopDiscord() async {
            guard !discordStopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
            await connection.stop()
        }

        /// In the CLI's order: plugins first (their cleanup still has voice), then Discord.
        func shutdown() async {
            await host.manager.stopAll()
            await stopDiscord()
            await host.shutdown()
            await emulator.shutdown()
        }

        /// Runs `body` with a rig and always shuts it down, also when an expectation throws (a
        /// connection dropped unstopped would trap in its HTTP client's deinit).
        static func with(config: String = "", ratelimit: String = "{}", _ body: (Rig) async throws -> Void) async throws {
            let rig = try await Rig(config: config, ratelimit: ratelimit)
            do {
                try await body(rig)
            } catch {
                await rig.shutdown()
                throw error
            }
            await rig.shutdown()
        }

        /// A user runs `/voice <subcommand>` in Discord; returns the plugin's answer (the text of
        /// the interaction callback) and whether it was ephemeral.
        func command(_ subcommand: String, options: String = "[]",
                     user: UInt64 = VoiceSessionsEndToEndTests.user) async throws -> (text: String, ephemeral: Bool) {
            let (id, _) = emulator.userInvokesCommand(
                name: "voice", options: #"[{"type": 1, "name": "\#(subcommand)", "options": \#(options)}]"#,
                channelID: VoiceSessionsEndToEndTests.textChannel, userID: user)
            guard await eventually({ emulator.interactionResponses(id).contains { $0.kind == .callback } }),
                  let response = emulator.interactionResponses(id).first(where: { $0.kind == .callback }) else {
                throw Failure(description: "no answer to /voice \(subcommand)")
            }
            let body = (try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) as? [String: Any]
            let data = body?["data"] as? [String: Any]
            let flags = data?["flags"] as? Int ?? 0
            return (data?["content"] as? String ?? response.body, flags & 64 != 0)
        }

        /// The user enters the voice channel in Discord, and the plugin has seen it (the gateway's
        /// VOICE_STATE_UPDATE reached the bus).
        func userJoinsVoice(_ user: UInt64 = VoiceSessionsEndToEndTests.user) async throws {
            guard emulator.userJoinsVoice(channelID: VoiceSessionsEndToEndTests.voiceChannel, userID: user) else {
                throw Failure(description: "the emulator refused to put \(user) in the voice channel")
            }
            guard await eventually({ host.events("discord.VOICE_STATE_UPDATE").contains { $0.contains(#""user_id":"\#(user)""#) } }) else {
                throw Failure(description: "the host did not see \(user) join voice")
            }
        }

        /// `/voice join` by a user in the voice channel; returns the started event's fields.
        @discardableResult
        func startSession(options: String = "[]", user: UInt64 = VoiceSessionsEndToEndTests.user) async throws -> [String: Any] {
            try await userJoinsVoice(user)
            let answer = try await command("join", options: options, user: user)
            guard answer.text.contains("voice session started"), !answer.ephemeral else {
                throw Failure(description: "the session did not start: \(answer.text)")
            }
            guard await eventually({ !host.events("voice.session.started").isEmpty }),
                  let started = host.events("voice.session.started").last.flatMap(Self.object) else {
                throw Failure(description: "no voice.session.started")
            }
            return started
        }

        /// Moves the host clock in monitor-interval steps, letting each monitor tick run (and
        /// RateLimit take its voice-time report) before the next. What a tick publishes (a timeout)
        /// is on the bus when this returns.
        func advance(seconds: Int) async {
            for _ in 0..<seconds {
                host.advance(ms: 1000)
                await host.settled("voicesessions")
                // Twice: RateLimit answers each request in a Task of its own, whose job is queued
                // behind the first ping. Unanswered across two steps, a report would time out on
                // the host clock (and be counted twice when retried).
                await host.settled("ratelimit")
                await host.settled("ratelimit")
            }
        }

        /// The user's voice time as RateLimit has it (`usedMs` of `ratelimit.voice.check`).
        func usedVoiceMs(user: UInt64 = VoiceSessionsEndToEndTests.user) async throws -> Int64 {
            let before = probe.lines.count
            try host.publish("probe.ask", #"ratelimit.voice.check 5000 {"userId": "\#(user)", "guildId": "\#(VoiceSessionsEndToEndTests.guild)"}"#)
            let prefix = "reply ratelimit.voice.check 0 "
            guard await eventually({ probe.lines.count > before }), let line = probe.lines.last, line.hasPrefix(prefix),
                  let reply = Self.object(String(line.dropFirst(prefix.count))),
                  let used = (reply["usedMs"] as? NSNumber)?.int64Value else {
                throw Failure(description: "RateLimit did not answer the check: \(probe.text)")
            }
            return used
        }

        /// Adds voice time through RateLimit itself, as another plugin would.
        func track(_ durationMs: Int64, user: UInt64) async throws {
            let before = probe.lines.count
            try host.publish("probe.ask", #"ratelimit.voice.track 5000 {"userId": "\#(user)", "guildId": "\#(VoiceSessionsEndToEndTests.guild)", "durationMs": \#(durationMs)}"#)
            guard await eventually({ probe.lines.count > before }), probe.lines.last?.hasPrefix("reply ratelimit.voice.track 0 ") == true else {
                throw Failure(description: "RateLimit did not take the voice time: \(probe.text)")
            }
        }

        /// The bot is not in voice in the guild any more, as Discord sees it.
        var botLeftVoice: Bool {
            emulator.currentVoiceSession(guildID: VoiceSessionsEndToEndTests.guild) == nil
                && emulator.voiceChannels(guildID: VoiceSessionsEndToEndTests.guild)[VoiceSessionsEndToEndTests.bot] == nil
        }

        /// Packets the bot sent in its current voice session that carry audio (not `F8 FF FE`).
        func audioPackets() -> [RecordedVoicePacket] {
            guard let session = emulator.currentVoiceSession(guildID: VoiceSessionsEndToEndTests.guild) else { return [] }
            return emulator.voicePackets(voiceSessionID: session.id).filter { !$0.isSilenceFrame }
        }

        /// The user speaks a 440 Hz tone for `durationMs` (no trailing silence) and the plugin's
        /// echo of it is waited for.
        @discardableResult
        func speakAndWaitForEcho(durationMs: Int) async throws -> VoiceSpeechReport {
            let spoken = try await emulator.userSpeaks(userID: VoiceSessionsEndToEndTests.user, guildID: VoiceSessionsEndToEndTests.guild,
                                                       audio: .tone(frequency: 440, durationMs: durationMs, amplitude: 0.4),
                                                       options: VoiceSessionsEndToEndTests.speechWithoutTrailingSilence)
            try await waitForEcho(of: spoken)
            return spoken
        }

        /// Waits until the plugin has echoed the utterance back and the host's send burst ended,
        /// and until the receiver has found the speaker quiet: it flushes what it held back (the
        /// tail frames, queued for the plugin) before it says Speaking stopped. The plugin has
        /// then handled every frame once its executor has run what was queued.
        func waitForEcho(of spoken: VoiceSpeechReport, user: UInt64 = VoiceSessionsEndToEndTests.user) async throws {
            guard await eventually({ audioPackets().count >= spoken.audioFrames }),
                  await eventually({ emulator.currentVoiceSession(guildID: VoiceSessionsEndToEndTests.guild)
                      .map { emulator.voicePackets(voiceSessionID: $0.id).last?.isSilenceFrame == true } == true }) else {
                throw Failure(description: "the plugin echoed \(audioPackets().count) of \(spoken.audioFrames) frames")
            }
            let started = { self.speaking.values.filter { $0 == "speaking \(user) 1" }.count }
            let stopped = { self.speaking.values.filter { $0 == "speaking \(user) 0" }.count }
            guard await eventually({ started() > 0 && stopped() == started() }) else {
                throw Failure(description: "the receiver never found \(user) quiet: \(speaking.values)")
            }
            await host.settled("voicesessions")
        }

        func events(_ topic: String) -> [[String: Any]] {
            host.events(topic).compactMap(Self.object)
        }

        static func object(_ text: String) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
    }

    /// Speech whose every packet is audio. The receiver holds a speaker's last frames until they
    /// fall silent and then flushes them; with only audio frames, the echo of all of them reaching
    /// the emulator proves the plugin has handled every frame before the test moves the clock on.
    static let speechWithoutTrailingSilence: VoiceSpeechOptions = {
        var options = VoiceSpeechOptions()
        options.trailingSilenceFrames = 0
        return options
    }()

    static func int64(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

    // MARK: join

    @Test func joinBringsTheBotIntoTheUsersChannelAfterAskingRateLimit() async throws {
        try await Rig.with(ratelimit: #"{"voice": {"maxDuration": 60000, "resetTime": 3600000}}"#) { rig in
            // Another user has used up their voice time: RateLimit is really asked, and says no.
            try await rig.userJoinsVoice(Self.otherUser)
            try await rig.track(60_000, user: Self.otherUser)
            let refused = try await rig.command("join", user: Self.otherUser)
            #expect(refused.ephemeral && refused.text.contains("You have used all 1m 00s of your voice time"), "\(refused.text)")
            #expect(rig.host.events("voice.session.started").isEmpty)
            #expect(rig.emulator.currentVoiceSession(guildID: Self.guild) == nil, "a refused join does not touch voice")

            let started = try await rig.startSession()
            #expect(started["userId"] as? String == String(Self.user))
            #expect(started["guildId"] as? String == String(Self.guild))
            #expect(started["voiceChannelId"] as? String == String(Self.voiceChannel))
            #expect(started["textChannelId"] as? String == String(Self.textChannel))
            #expect(Self.int64(started["startedAtMs"]) == rig.host.runtime.clock.nowMs())
            // Discord has the bot in the channel, with a voice connection that selected a protocol.
            let voice = try #require(rig.emulator.currentVoiceSession(guildID: Self.guild))
            #expect(voice.channelID == Self.voiceChannel && voice.userID == Self.bot)
            #expect(voice.isConnected && voice.mode != nil)
            #expect(rig.emulator.voiceChannels(guildID: Self.guild)[Self.bot] == Self.voiceChannel)
            #expect(rig.host.runtime.voice?.holders[Self.guild] == ["voicesessions"])

            // The call is end-to-end encrypted (DAVE): /voice status says so, with the privacy code
            // the user's own client shows.
            #expect(await eventually { rig.emulator.currentVoiceSession(guildID: Self.guild)?.dave?.simulatedMembers[Self.user]?.sendingEpoch != nil })
            let code = try #require(rig.emulator.currentVoiceSession(guildID: Self.guild)?.dave?.simulatedMembers[Self.user]?.privacyCode)
            let shown = VoiceEndToEndStatus.grouped(code)
            // (The encryption event reaches the plugin a moment after the group is ready.)
            let status = try await eventuallyValue { () async throws -> String? in
                let text = try await rig.command("status").text
                return text.contains(shown) ? text : nil
            }
            #expect(status?.contains("The call is end-to-end encrypted (DAVE v1); voice privacy code \(shown).") == true, "\(status ?? "")")

            // A second /voice join by the same user is refused, and the other user is still refused.
            let again = try await rig.command("join")
            #expect(again.ephemeral && again.text.contains("You already have a voice session"), "\(again.text)")
            #expect(rig.host.events("voice.session.started").count == 1)
        }
    }

    @Test func statusWhileTheBotIsJoiningSaysTheSessionIsStarting() async throws {
        try await Rig.with() { rig in
            try await rig.userJoinsVoice()
            // UDP dropped: the join waits in IP discovery until it comes back.
            rig.emulator.injectVoice(.dropUDP)
            _ = rig.emulator.userInvokesCommand(
                name: "voice", options: #"[{"type": 1, "name": "join", "options": []}]"#,
                channelID: Self.textChannel, userID: Self.user)
            #expect(await eventually { rig.emulator.droppedVoiceDatagrams >= 1 })
            let status = try await rig.command("status")
            #expect(status.ephemeral && status.text.contains("Your voice session is starting: I am joining <#\(Self.voiceChannel)>"),
                    "\(status.text)")
            rig.emulator.injectVoice(.resumeUDP)
            // Discovery is retried on the host clock: one step sends a request that gets through,
            // and once its answer is in, the host selects a protocol. (Another step only if that
            // never happens, as when the step came before the retry's timer was set.)
            let selected = { rig.emulator.voiceGatewayEvents.contains { $0.direction == .received && $0.op == 1 } }
            for _ in 0..<3 where !selected() {
                await rig.advance(seconds: 1)
                _ = await eventually { selected() }
            }
            #expect(await eventually { rig.host.events("voice.session.started").count == 1 })
        }
    }

    // MARK: timeout

    @Test func anIdleSessionTimesOutOnTheHostClockAndTheBotLeaves() async throws {
        try await Rig.with() { rig in
            let started = try await rig.startSession()
            let startMs = try #require(Self.int64(started["startedAtMs"]))

            // Idle for exactly the timeout (5 s): not yet "longer than" it. (`advance` returns once
            // each tick has run, a timeout it published included.)
            await rig.advance(seconds: 5)
            #expect(rig.host.events("voice.session.timeout").isEmpty)
            #expect(rig.emulator.currentVoiceSession(guildID: Self.guild) != nil)

            // The next monitor check finds it idle for longer: timeout now, cleanup after cleanupDelay.
            await rig.advance(seconds: 1)
            #expect(await eventually { rig.host.events("voice.session.timeout").count == 1 })
            let timeout = try #require(rig.events("voice.session.timeout").first)
            #expect(Self.int64(timeout["timeoutMs"]) == 5000)
            #expect(Self.int64(timeout["lastActivityMs"]) == startMs)
            #expect(Self.int64(timeout["endedAtMs"]) == startMs + 6000)
            #expect(rig.host.events("voice.session.ended").isEmpty, "cleanup waits for cleanupDelay")
            // The notice goes to the session's text channel.
            #expect(await eventually { rig.emulator.messages(in: Self.textChannel).contains { $0.content.contains("ended after 5s without activity") } })

            await rig.advance(seconds: 1)
            #expect(await eventually { rig.host.events("voice.session.ended").count == 1 })
            let ended = try #require(rig.events("voice.session.ended").first)
            #expect(ended["reason"] as? String == "timeout")
            #expect(Self.int64(ended["cleanupErrors"]) == 0)
            #expect(rig.host.events("voice.session.cleanup_error").isEmpty)
            // The plugin's hold released, the bot leaves the channel in Discord.
            #expect(await eventually { rig.botLeftVoice })
            #expect(rig.host.runtime.voice?.holders[Self.guild] == nil)
            // Every millisecond of the session reached RateLimit (ticks, then the rest at the end).
            let duration = try #require(Self.int64(ended["durationMs"]))
            #expect(duration == 6000)
            #expect(await eventually { (try? await rig.usedVoiceMs()) == duration })
        }
    }

    // MARK: activity

    @Test func speakingIsActivityAndPushesTheTimeoutBack() async throws {
        try await Rig.with() { rig in
            // Echo on: the plugin sends the user's frames back, so the emulator receiving them proves
            // the plugin has handled them (and counted them as activity) before the clock moves on.
            let started = try await rig.startSession(options: #"[{"type": 5, "name": "echo", "value": true}]"#)
            let startMs = try #require(Self.int64(started["startedAtMs"]))
            #expect(started["echo"] as? Bool == true)

            await rig.advance(seconds: 3)
            try await rig.speakAndWaitForEcho(durationMs: 600)

            // Without the speech the session would have timed out at +6 s; now it lasts until +9 s.
            await rig.advance(seconds: 5)
            #expect(rig.host.events("voice.session.timeout").isEmpty, "speaking at +3 s keeps the session until +9 s")
            await rig.advance(seconds: 1)
            #expect(await eventually { rig.host.events("voice.session.timeout").count == 1 })
            let timeout = try #require(rig.events("voice.session.timeout").first)
            #expect(Self.int64(timeout["lastActivityMs"]) == startMs + 3000)
            #expect(Self.int64(timeout["endedAtMs"]) == startMs + 9000)
            await rig.advance(seconds: 1)
            #expect(await eventually { rig.botLeftVoice })
        }
    }

    // MARK: recording

    @Test func aRecordedSessionLeavesAnOggOpusFileThatOpusToolsAcceptAndThatHoldsTheUsersVoice() async throws {
        guard let opusinfo = AudioFilesOpusToolsTests.tool("opusinfo"), let opusdec = AudioFilesOpusToolsTests.tool("opusdec") else {
            Issue.record("opusinfo/opusdec are not on PATH: install opus-tools (scripts/install-deps.sh does)")
            return
        }
        let recordings = Fixtures.temporaryDirectory("voicesessions-recordings")
        try await Rig.with(config: #""recording": {"enabled": true, "directory": \#(jsonString(recordings.path))}"#) { rig in
            try await rig.startSession(options: #"[{"type": 5, "name": "echo", "value": true}]"#)
            try await rig.speakAndWaitForEcho(durationMs: 1000)

            let leave = try await rig.command("leave")
            #expect(leave.text.contains("ended") || leave.text.contains("end"), "\(leave.text)")
            await rig.advance(seconds: 1)
            #expect(await eventually { rig.host.events("voice.session.ended").count == 1 })
            let ended = try #require(rig.events("voice.session.ended").first)
            #expect(ended["reason"] as? String == "command")
            #expect(ended["recorded"] as? Bool == true)
            let file = try #require(ended["recordingFile"] as? String)
            #expect(file.hasPrefix(recordings.path) && FileManager.default.fileExists(atPath: file), "\(file)")

            let info = try AudioFilesOpusToolsTests.run(opusinfo, [file])
            #expect(info.status == 0, "opusinfo: \(info.output)")
            #expect(!info.output.contains("WARNING") && !info.output.contains("ERROR"), "opusinfo: \(info.output)")
            #expect(info.output.contains("DISCORD_USER=\(Self.user)"), "opusinfo: \(info.output)")

            let wav = recordings.appendingPathComponent("decoded.wav").path
            let decoded = try AudioFilesOpusToolsTests.run(opusdec, ["--quiet", file, wav])
            #expect(decoded.status == 0, "opusdec: \(decoded.output)")
            let audio = try WAVReader.read(path: wav)
            // About the second that was spoken (50 frames and the trailing silence frames), less the
            // encoder's 312-sample pre-skip that opusdec trims from the start.
            #expect(audio.frameCount >= 48_000 - 312, "\(audio.frameCount) frames")
            let left = Array(ToneAnalysis.channel(audio.samples, channel: 0).dropFirst(4_800).prefix(38_400))
            #expect(abs(ToneAnalysis.dominantFrequency(in: left) - 440) <= 5)
            #expect(await eventually { rig.botLeftVoice })
        }
    }

    // MARK: playback

    @Test func playSendsAWAVEncodedAndAnOggOpusFilePacketForPacket() async throws {
        let sounds = Fixtures.temporaryDirectory("voicesessions-sounds")
        // 1 s of 523 Hz, 16-bit stereo at 48 kHz: the host encodes it.
        try Self.writeWAV(ToneAnalysis.stereoTone(frequency: 523, frames: 48_000, amplitude: 0.4),
                          to: sounds.appendingPathComponent("chime.wav").path)
        // 1 s of 660 Hz as 50 Opus packets of 20 ms: sent as they are.
        let oggPath = sounds.appendingPathComponent("tone.opus").path
        let encoder = try OpusFrameEncoder()
        let writer = try OggOpusWriter(path: oggPath, configuration: .init(preSkip: UInt16(try encoder.lookahead())))
        let tone = ToneAnalysis.stereoTone(frequency: 660, frames: 48_000, amplitude: 0.4)
        var filePackets: [[UInt8]] = []
        for i in 0..<50 {
            let packet = try encoder.encode(Array(tone[i * 1920..<(i + 1) * 1920]))
            filePackets.append(packet)
            try writer.write(packet: packet)
        }
        try writer.finish()

        try await Rig.with(config: #""playback": {"directory": \#(jsonString(sounds.path))}"#) { rig in
            try await rig.startSession()
            let voice = try #require(rig.emulator.currentVoiceSession(guildID: Self.guild))

            let wavAnswer = try await rig.command("play", options: #"[{"type": 3, "name": "file", "value": "chime.wav"}]"#)
            #expect(wavAnswer.text.contains("Playing chime.wav") && !wavAnswer.ephemeral, "\(wavAnswer.text)")
            #expect(await eventually { rig.audioPackets().count >= 50 }, "\(rig.audioPackets().count) packets")
            // The host's trailing silence after the queue drained marks the end of the file.
            #expect(await eventually { rig.emulator.voicePackets(voiceSessionID: voice.id).last?.isSilenceFrame == true })
            #expect(rig.audioPackets().count == 50)
            let wavAudio = rig.emulator.voiceAudio(voiceSessionID: voice.id)
            let wavFrequency = try #require(VoiceToneAnalysis.dominantFrequency(pcm: wavAudio))
            #expect(abs(wavFrequency - 523) < 5, "decoded \(wavFrequency) Hz")

            let audioBefore = wavAudio.count
            let oggAnswer = try await rig.command("play", options: #"[{"type": 3, "name": "file", "value": "tone.opus"}]"#)
            #expect(oggAnswer.text.contains("Playing tone.opus"), "\(oggAnswer.text)")
            #expect(await eventually { rig.audioPackets().count >= 100 }, "\(rig.audioPackets().count) packets")
            // Passed through without re-encoding: the same packets, in order.
            let oggPackets = Array(rig.audioPackets().dropFirst(50))
            #expect(oggPackets.map(\.payloadSize) == filePackets.map(\.count))
            #expect(oggPackets.allSatisfy { $0.decodedSamplesPerChannel == 960 })
            #expect(await eventually { rig.emulator.voicePackets(voiceSessionID: voice.id).last?.isSilenceFrame == true })
            let oggAudio = Array(rig.emulator.voiceAudio(voiceSessionID: voice.id).dropFirst(audioBefore))
            let oggFrequency = try #require(VoiceToneAnalysis.dominantFrequency(pcm: oggAudio))
            #expect(abs(oggFrequency - 660) < 5, "decoded \(oggFrequency) Hz")
            #expect(rig.emulator.currentVoiceSession(guildID: Self.guild)?.decryptFailures == 0)
        }
    }

    /// A 16-bit PCM stereo 48 kHz WAV file, written by hand.
    static func writeWAV(_ samples: [Int16], to path: String) throws {
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        let bytes = UInt32(samples.count * 2)
        data.append(contentsOf: Array("RIFF".utf8)); append(36 + bytes); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(2))
        append(UInt32(48_000)); append(UInt32(48_000 * 4)); append(UInt16(4)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(bytes)
        for sample in samples { append(sample) }
        try data.write(to: URL(fileURLWithPath: path))
    }

    // MARK: the user leaves

    @Test func theUserLeavingEndsTheSessionAndTheLastSessionTakesTheBotOut() async throws {
        try await Rig.with() { rig in
            try await rig.startSession()
            try await rig.startSession(user: Self.otherUser)
            #expect(rig.host.events("voice.session.started").count == 2)

            // One of two leaves: their session ends, the bot stays for the other.
            rig.emulator.userLeavesVoice(guildID: Self.guild, userID: Self.otherUser)
            #expect(await eventually { rig.host.events("discord.VOICE_STATE_UPDATE").contains { $0.contains(#""user_id":"\#(Self.otherUser)""#) && $0.contains(#""channel_id":null"#) } })
            await rig.host.settled("voicesessions")  // the plugin has had the user-left event
            await rig.advance(seconds: 1)
            #expect(await eventually { rig.host.events("voice.session.ended").count == 1 })
            let first = try #require(rig.events("voice.session.ended").first)
            #expect(first["userId"] as? String == String(Self.otherUser) && first["reason"] as? String == "user_left")
            // The bot leaves only when no plugin holds the guild's voice any more: the plugin has
            // finished ending the session, and still holds it for the other one.
            await rig.host.settled("voicesessions")
            #expect(rig.host.runtime.voice?.holders[Self.guild] == ["voicesessions"], "still needed by the other session")
            #expect(rig.emulator.currentVoiceSession(guildID: Self.guild)?.channelID == Self.voiceChannel, "still needed by the other session")

            // The last one leaves: ended, and the bot leaves the channel.
            rig.emulator.userLeavesVoice(guildID: Self.guild, userID: Self.user)
            #expect(await eventually { rig.host.events("discord.VOICE_STATE_UPDATE").contains { $0.contains(#""user_id":"\#(Self.user)""#) && $0.contains(#""channel_id":null"#) } })
            await rig.host.settled("voicesessions")  // the plugin has had the user-left event
            await rig.advance(seconds: 1)
            #expect(await eventually { rig.host.events("voice.session.ended").count == 2 })
            let last = try #require(rig.events("voice.session.ended").last)
            #expect(last["userId"] as? String == String(Self.user) && last["reason"] as? String == "user_left")
            #expect(Self.int64(last["cleanupErrors"]) == 0)
            #expect(await eventually { rig.botLeftVoice })
            #expect(rig.host.events("voice.session.timeout").isEmpty && rig.host.events("voice.session.cleanup_error").isEmpty)
        }
    }

    // MARK: forced cleanup

    /// The host's Discord connection goes away under a running session: the voice is gone, so the
    /// cleanup's "leave voice channel" step fails; the other steps still run, the failure is
    /// published, and the session is removed.
    @Test func aFailingCleanupStepIsReportedAndTheSessionIsStillRemoved() async throws {
        try await Rig.with() { rig in
            try await rig.startSession()
            await rig.stopDiscord()
            #expect(rig.host.runtime.voice == nil)
            // Whether the voice disconnect or the timeout ends it, its cleanup cannot leave the channel.
            await rig.advance(seconds: 7)
            #expect(await eventually { rig.host.events("voice.session.ended").count == 1 })
            let ended = try #require(rig.events("voice.session.ended").first)
            #expect(Self.int64(ended["cleanupErrors"]) == 1)
            let cleanup = try #require(rig.events("voice.session.cleanup_error").first)
            let errors = try #require(cleanup["errors"] as? [[String: Any]])
            #expect(errors.map { $0["step"] as? String } == ["leave voice channel"], "\(errors)")

            // The session is gone: the user can start over (and meets the missing connection, not
            // "still closing").
            let responder = RecordingResponder()
            let invocation = try LocalInvocation.parse("/voice join", definitions: rig.host.runtime.commands.definitions,
                                                       userID: Self.user, guildID: Self.guild)
            try rig.host.runtime.invokeCommand(invocation, responder: responder)
            #expect(await eventually { responder.responses.count == 1 })
            let text = responder.responses.first.map { String(decoding: $0.messageJSON, as: UTF8.self) } ?? ""
            #expect(!text.contains("still closing") && !text.contains("already have"), "\(text)")
        }
    }
}
