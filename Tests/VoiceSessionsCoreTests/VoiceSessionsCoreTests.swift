import Foundation
import Synchronization
import Testing
import VoiceSessionsCore

/// The VoiceSessions plugin's pure logic: sessions and their timeouts on a hand-driven clock, the
/// monitor's cadence and voice-time reports, the ordered and forced cleanup, and the small parsers.
@Suite struct VoiceSessionsCoreTests {
    /// A clock the test moves by hand (the plugin injects the host's clock the same way).
    final class HandClock: Sendable {
        private let ms = Atomic<Int64>(1_700_000_000_000)
        var now: Int64 { ms.load(ordering: .relaxed) }
        func advance(_ delta: Int64) { ms.add(delta, ordering: .relaxed) }
    }

    static let timing = SessionTiming(monitorIntervalMs: 30_000, sessionTimeoutMs: 300_000, cleanupDelayMs: 5_000)
    static let alice = SessionKey(guildID: 1, userID: 10)
    static let bob = SessionKey(guildID: 1, userID: 20)

    private func book(_ clock: HandClock, timing: SessionTiming = timing) -> SessionBook {
        SessionBook(timing: timing, clock: { clock.now })
    }

    // MARK: timeouts

    @Test func aSessionTimesOutOnlyAfterMoreThanTheTimeoutWithoutActivity() throws {
        let clock = HandClock()
        var book = book(clock)
        let started = try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings())
        #expect(started.startedAtMs == clock.now && started.lastActivityMs == clock.now)
        #expect(book.timeoutDeadlineMs(Self.alice) == clock.now + 300_000)

        clock.advance(300_000)
        #expect(!book.isTimedOut(Self.alice), "exactly the timeout is not yet longer than it")
        clock.advance(1)
        #expect(book.isTimedOut(Self.alice))
    }

    @Test func activityStartsTheTimeoutOver() throws {
        let clock = HandClock()
        var book = book(clock)
        try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings())
        clock.advance(200_000)
        let counted = book.recordActivity(Self.alice)
        #expect(counted)
        let spoke = clock.now
        clock.advance(200_000)  // 400 s after the start, 200 s after speaking
        #expect(!book.isTimedOut(Self.alice))
        #expect(book.session(Self.alice)?.lastActivityMs == spoke)
        clock.advance(100_001)
        #expect(book.isTimedOut(Self.alice))
        // Activity of someone without a session changes nothing.
        let stranger = book.recordActivity(Self.bob)
        #expect(!stranger)
    }

    @Test func theMonitorEndsAnIdleSessionAtItsFirstCheckPastTheTimeoutAndReportsVoiceTimeEveryCheck() throws {
        let clock = HandClock()
        var book = book(clock)
        let start = clock.now
        try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings())
        var reported: Int64 = 0
        var endedAt: Int64?
        var finalUsage: Int64 = 0
        // The host timer calls the monitor every 30 s.
        for _ in 1...20 where endedAt == nil {
            clock.advance(30_000)
            let report = book.monitorTick()
            reported += report.usage.filter { $0.key == Self.alice }.map(\.durationMs).reduce(0, +)
            if let ended = report.timedOut.first {
                #expect(ended.reason == .timeout && ended.session.phase == .ending(.timeout))
                endedAt = clock.now
                finalUsage = ended.unreportedMs
            } else {
                #expect(report.usage == [UsageReport(key: Self.alice, durationMs: 30_000)], "one interval per check")
            }
        }
        // 300 s is not more than the timeout; the next check, at 330 s, ends it.
        #expect(endedAt == start + 330_000)
        #expect(reported == 300_000 && finalUsage == 30_000, "all 330 s of voice time are reported exactly once")
        let after = book.monitorTick()
        #expect(after == MonitorReport(), "an ending session is neither timed out again nor metered")
    }

    @Test func speakingJustBeforeTheDeadlinePostponesTheEndByAWholeTimeout() throws {
        let clock = HandClock()
        var book = book(clock)
        let start = clock.now
        try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings())
        var endedAt: Int64?
        for tick in 1...90 where endedAt == nil {
            clock.advance(10_000)
            if tick == 29 { book.recordActivity(Self.alice) }  // at 290 s
            if tick % 3 == 0, !book.monitorTick().timedOut.isEmpty { endedAt = clock.now }  // checks every 30 s
        }
        // Deadline 290 + 300 = 590 s; the first check after it is at 600 s.
        #expect(endedAt == start + 600_000)
    }

    // MARK: registry

    @Test func theBookRefusesDuplicatesSessionsInAnotherChannelAndCountsNoActivityAfterTheEnd() throws {
        let clock = HandClock()
        var book = book(clock)
        try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings(record: true))
        do {
            try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings())
            Issue.record("a second session for one user was accepted")
        } catch {
            #expect(error == .alreadyActive(try #require(book.session(Self.alice))))
        }
        do {
            try book.start(Self.bob, voiceChannel: 101, textChannel: 200, settings: AudioSettings())
            Issue.record("a second channel in one guild was accepted")
        } catch {
            #expect(error == .otherChannel(try #require(book.session(Self.alice))))
        }
        try book.start(Self.bob, voiceChannel: 100, textChannel: 201, settings: AudioSettings())
        // Another guild may use any channel.
        try book.start(SessionKey(guildID: 2, userID: 10), voiceChannel: 900, textChannel: 901, settings: AudioSettings())
        #expect(!book.isLastInGuild(Self.alice) && book.sessions(inGuild: 1).count == 2)

        clock.advance(1_000)
        let ending = book.end(Self.alice, reason: .command)
        let ended = try #require(ending)
        #expect(ended.unreportedMs == 1_000 && ended.session.endedAtMs == clock.now)
        let again = book.end(Self.alice, reason: .timeout)
        #expect(again == nil, "a session ends once")
        let late = book.recordActivity(Self.alice)
        #expect(!late, "no activity counts after the end")
        do {
            try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings())
            Issue.record("a new session started while the old one was still ending")
        } catch {
            #expect(error == .stillEnding(try #require(book.session(Self.alice))))
        }
        #expect(book.active.map(\.key) == [Self.bob, SessionKey(guildID: 2, userID: 10)])
        book.remove(Self.bob)
        #expect(book.isLastInGuild(Self.alice))
    }

    // MARK: cleanup

    /// The steps a cleanup ran, in order.
    final class CallLog {
        var calls: [String] = []
    }

    /// A plan whose steps append their names to `log`; `failing` steps throw after appending.
    private func plan(_ log: CallLog, failing: Set<String> = [], leave: Bool = true) -> SessionCleanupPlan {
        struct StepFailed: Error, CustomStringConvertible { let description: String }
        func step(_ name: String) -> () throws -> Void {
            {
                log.calls.append(name)
                if failing.contains(name) { throw StepFailed(description: "\(name) broke") }
            }
        }
        return SessionCleanupPlan(
            stopConsumers: step(SessionCleanupPlan.stopConsumers), stopProducers: step(SessionCleanupPlan.stopProducers),
            releasePipeline: step(SessionCleanupPlan.releasePipeline),
            leaveChannel: leave ? step(SessionCleanupPlan.leaveChannel) : nil,
            removeSession: step(SessionCleanupPlan.removeSession))
    }

    @Test func cleanupRunsItsStepsInOrderAndLeavesOnlyForTheGuildsLastSession() {
        let log = CallLog()
        let report = plan(log).run()
        let order = [SessionCleanupPlan.stopConsumers, SessionCleanupPlan.stopProducers, SessionCleanupPlan.releasePipeline,
                     SessionCleanupPlan.leaveChannel, SessionCleanupPlan.removeSession]
        #expect(log.calls == order)
        #expect(report.isClean && report.completed == order)

        let others = CallLog()
        let kept = plan(others, leave: false).run()
        #expect(others.calls == order.filter { $0 != SessionCleanupPlan.leaveChannel })
        #expect(kept.isClean)
    }

    @Test func cleanupIsForcedThroughFailingStepsAndCollectsTheirErrors() {
        let log = CallLog()
        let report = plan(log, failing: [SessionCleanupPlan.stopProducers, SessionCleanupPlan.leaveChannel]).run()
        #expect(log.calls.count == 5, "every step ran: \(log.calls)")
        #expect(log.calls.last == SessionCleanupPlan.removeSession)
        #expect(report.failures == [
            CleanupFailure(step: SessionCleanupPlan.stopProducers, message: "\(SessionCleanupPlan.stopProducers) broke"),
            CleanupFailure(step: SessionCleanupPlan.leaveChannel, message: "\(SessionCleanupPlan.leaveChannel) broke"),
        ])
        #expect(report.completed == [SessionCleanupPlan.stopConsumers, SessionCleanupPlan.releasePipeline, SessionCleanupPlan.removeSession])
        #expect(!report.isClean)
    }

    @Test func theCleanupErrorEventNamesTheSessionAndEachFailedStep() throws {
        let clock = HandClock()
        var book = book(clock)
        try book.start(Self.alice, voiceChannel: 100, textChannel: 200, settings: AudioSettings())
        let ending = book.end(Self.alice, reason: .userLeft)
        let session = try #require(ending).session
        let json = SessionEventJSON.cleanupError(session, failures: [CleanupFailure(step: "leave voice channel", message: "IO")])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["guildId"] as? String == "1" && object["userId"] as? String == "10")
        let errors = try #require(object["errors"] as? [[String: String]])
        #expect(errors == [["step": "leave voice channel", "error": "IO"]])

        let ended = try #require(try JSONSerialization.jsonObject(
            with: Data(SessionEventJSON.ended(session, reason: .userLeft, recording: "/r/1-10.opus", cleanupErrors: 1))) as? [String: Any])
        #expect(ended["reason"] as? String == "user_left" && ended["recordingFile"] as? String == "/r/1-10.opus")
        #expect(ended["voiceChannelId"] as? String == "100" && ended["cleanupErrors"] as? Int == 1)
    }

    // MARK: quota decisions

    @Test func quotaDecisionsFollowTheAnswerAndTheUnavailablePolicy() {
        let now: Int64 = 1_700_000_000_000
        let open = QuotaStatus(allowed: true, usedMs: 0, remainingMs: 7_200_000, limitMs: 7_200_000, resetsAtMs: now + 3_600_000)
        let spent = QuotaStatus(allowed: false, usedMs: 7_200_000, remainingMs: 0, limitMs: 7_200_000, resetsAtMs: now + 600_000)
        let strict = QuotaPolicy()
        #expect(strict.decide(.answered(open), nowMs: now) == .allow(open))
        guard case .refuse(let text) = strict.decide(.answered(spent), nowMs: now) else {
            Issue.record("an exhausted quota was not refused"); return
        }
        #expect(text.contains("used all 2h 00m") && text.contains("in 10m 00s"))
        guard case .refuse(let unavailable) = strict.decide(.unavailable("nobody serves it"), nowMs: now) else {
            Issue.record("refuse is the default when RateLimit does not answer"); return
        }
        #expect(unavailable.contains("not answering") && unavailable.contains("quota.whenUnavailable"))
        let lenient = QuotaPolicy(whenUnavailable: .allow)
        #expect(lenient.decide(.unavailable("x"), nowMs: now) == .allowUnmetered("x"))
        #expect(lenient.decide(.answered(spent), nowMs: now) != .allowUnmetered("x"), "allow never overrides a real refusal")
    }

    // MARK: voice states

    @Test func voiceStatesComeFromGuildCreateAndVoiceStateUpdates() throws {
        var states = VoiceStateBook()
        try states.apply(guildCreate: Array("""
            {"id": "1", "name": "g", "voice_states": [{"user_id": "10", "channel_id": "100", "self_mute": false},
                                                       {"user_id": "11", "channel_id": null}]}
            """.utf8))
        #expect(states.channel(of: 10, inGuild: 1) == 100 && states.channel(of: 11, inGuild: 1) == nil)

        let moved = try states.apply(voiceStateUpdate: Array(#"{"guild_id": "1", "user_id": "10", "channel_id": "101"}"#.utf8))
        #expect(moved == VoiceStateChange(guildID: 1, userID: 10, from: 100, to: 101))
        let muted = try states.apply(voiceStateUpdate: Array(#"{"guild_id": "1", "user_id": "10", "channel_id": "101", "self_mute": true}"#.utf8))
        #expect(muted == nil, "muting is not a change of channel")
        let left = try states.apply(voiceStateUpdate: Array(#"{"guild_id": "1", "user_id": "10", "channel_id": null}"#.utf8))
        #expect(left?.to == nil && states.channel(of: 10, inGuild: 1) == nil)
        do {
            try states.apply(voiceStateUpdate: Array("{not json".utf8))
            Issue.record("a malformed VOICE_STATE_UPDATE was accepted")
        } catch {
            #expect(error.description.contains("unreadable VOICE_STATE_UPDATE"))
        }
        // An unavailable guild stub keeps what was known.
        try states.apply(voiceStateUpdate: Array(#"{"guild_id": "1", "user_id": "12", "channel_id": "100"}"#.utf8))
        try states.apply(guildCreate: Array(#"{"id": "1", "unavailable": true}"#.utf8))
        #expect(states.channel(of: 12, inGuild: 1) == 100)
        states.forget(guild: 1)
        #expect(states.channel(of: 12, inGuild: 1) == nil)
    }

    // MARK: recording timeline

    @Test func pausesInAUsersStreamBecomeSilenceFrames() {
        var timeline = RecordingTimeline(maxSilenceFrames: 100)
        let packets: [(ssrc: UInt32, timestamp: UInt32)] = [
            (7, 1_000),                  // the first packet
            (7, 1_960),                  // the next 20 ms frame
            (7, 1_960 + 960 * 4),        // three frames were silent
            (7, 1_960 + 960 * 1_004),    // a long pause, capped
            (8, 5),                      // a new SSRC is a new stream
            (8, UInt32.max - 400),       // a timestamp going backwards
            (8, 1_519),                  // wrapping past 2^32 is a step forward (1 920 samples)
        ]
        let fills = packets.map { timeline.silenceFrames(before: $0.ssrc, timestamp: $0.timestamp) }
        #expect(fills == [0, 0, 3, 100, 0, 0, 1])
    }

    // MARK: playback names

    @Test func playbackRefusesTraversalHiddenFilesUnknownTypesAndLinksOutOfTheFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("voicesessions-lib-\(UUID().uuidString.prefix(8))")
        let folder = root.appendingPathComponent("sounds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data([1, 2, 3]).write(to: folder.appendingPathComponent("hello.opus"))
        try Data([1]).write(to: folder.appendingPathComponent("beep.WAV"))
        try Data([9]).write(to: root.appendingPathComponent("secret.opus"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("escape.opus").path,
                                                   withDestinationPath: root.appendingPathComponent("secret.opus").path)
        let library = PlaybackLibrary(directory: folder.path)

        for name in ["../secret.opus", "..", ".", "sub/hello.opus", "..\\secret.opus", ".hidden.opus", "/etc/passwd", ""] {
            #expect(throws: PlaybackRefusal.self, "\(name)") { try library.resolve(name, maxBytes: 1_000) }
        }
        #expect(throws: PlaybackRefusal.unsupportedType("only Ogg Opus (.opus, .ogg, .oga) and WAV (.wav) files are played")) {
            try library.resolve("notes.txt", maxBytes: 1_000)
        }
        #expect(throws: PlaybackRefusal.outsideFolder("escape.opus")) { try library.resolve("escape.opus", maxBytes: 1_000) }
        #expect(throws: PlaybackRefusal.notFound("missing.opus", available: ["beep.WAV", "escape.opus", "hello.opus"])) {
            try library.resolve("missing.opus", maxBytes: 1_000)
        }
        #expect(throws: PlaybackRefusal.tooLarge("hello.opus", bytes: 3, limit: 2)) { try library.resolve("hello.opus", maxBytes: 2) }
        let hello = try library.resolve("hello.opus", maxBytes: 1_000)
        #expect(hello.kind == .oggOpus && hello.path.hasSuffix("/sounds/hello.opus"))
        #expect(try library.resolve("beep.WAV", maxBytes: 1_000).kind == .wav)
        #expect(throws: PlaybackRefusal.noFolder(root.appendingPathComponent("none").path)) {
            try PlaybackLibrary(directory: root.appendingPathComponent("none").path).resolve("hello.opus", maxBytes: 1_000)
        }
    }
}
