@testable import BotHost
import Foundation
import Testing

/// VoiceSessions under a config edit and a stop, end to end (the rig of `VoiceSessionsEndToEndTests`):
/// plugins.json is rewritten on disk under the running host and read by its real watcher.
extension VoiceSessionsEndToEndTests {
    /// The config's timings with a different timeout.
    static func timing(sessionTimeout: String) -> String {
        #"{"monitorInterval": 1000, "sessionTimeout": \#(sessionTimeout), "cleanupDelay": 1000}"#
    }

    @Test func aConfigEditGivesTheRunningSessionTheNewTimeoutWithoutEndingIt() async throws {
        try await Rig.with() { rig in
            let started = try await rig.startSession()
            let startMs = try #require(Self.int64(started["startedAtMs"]))
            let file = try rig.watchPluginsFile()
            #expect(await eventually { rig.host.starts(of: "voicesessions") == 1 })

            // 20 s instead of 5 s. Applied live: restarting the plugin would have ended the session.
            let applied = try await file.edit(plugins: rig.plugins(voiceConfig: Self.timing(sessionTimeout: "20000")),
                                              awaiting: "voicesessions")
            #expect(applied.contains("applied its new config"), "\(applied)")
            #expect(rig.host.starts(of: "voicesessions") == 1, "the plugin was restarted")
            await rig.advance(seconds: 6)
            #expect(rig.host.events("voice.session.timeout").isEmpty, "the old 5 s timeout would have ended it at +6 s")
            #expect(rig.host.events("voice.session.ended").isEmpty)
            #expect(rig.emulator.currentVoiceSession(guildID: Self.guild) != nil)

            // An invalid edit is refused, naming the field; the 20 s timeout stays in force.
            let refused = try await file.edit(plugins: rig.plugins(voiceConfig: Self.timing(sessionTimeout: "500")),
                                              awaiting: "voicesessions")
            #expect(refused.contains("refused its new config") && refused.contains("$.plugins[0].config"), "\(refused)")
            #expect(file.hostLog.all.contains { $0.contains("new config refused") && $0.contains("sessionTimeout") },
                    "the plugin names the field")
            #expect(await rig.host.status("voicesessions")?.state == .running)

            // Idle for exactly 20 s at +20 s: not yet "longer than" the timeout; at +21 s it ends.
            await rig.advance(seconds: 14)
            #expect(rig.host.events("voice.session.timeout").isEmpty)
            await rig.advance(seconds: 1)
            #expect(await eventually { rig.host.events("voice.session.timeout").count == 1 })
            let timeout = try #require(rig.events("voice.session.timeout").first)
            #expect(Self.int64(timeout["timeoutMs"]) == 20_000)
            #expect(Self.int64(timeout["endedAtMs"]) == startMs + 21_000)
            #expect(rig.host.starts(of: "voicesessions") == 1)
        }
    }

    @Test func stoppingEndsARunningSessionInTheCleanupHookFinishingItsRecording() async throws {
        let recordings = Fixtures.temporaryDirectory("voicesessions-stop-recordings")
        try await Rig.with(config: #""recording": {"enabled": true, "directory": \#(jsonString(recordings.path))}"#) { rig in
            try await rig.startSession(options: #"[{"type": 5, "name": "echo", "value": true}]"#)
            try await rig.speakAndWaitForEcho(durationMs: 400)
            // Half a monitor interval of voice time, which no tick has reported.
            rig.host.advance(ms: 500)

            await rig.host.manager.stopAll()
            let ended = try #require(rig.events("voice.session.ended").first)
            #expect(rig.events("voice.session.ended").count == 1)
            #expect(ended["reason"] as? String == "plugin_stopping")
            #expect(Self.int64(ended["cleanupErrors"]) == 0)
            // The recording was finished: its last Ogg page ends the stream.
            let file = try #require(ended["recordingFile"] as? String)
            #expect(Self.endsWithEndOfStreamPage(try Data(contentsOf: URL(fileURLWithPath: file))), "\(file)")
            // The voice time no tick reported is kept for the next start, in the plugin's storage.
            let pending = try rig.host.runtime.database.store(for: "voicesessions").get("usage.pending.\(Self.guild).\(Self.user)")
            #expect(pending.map { String(decoding: $0, as: UTF8.self) } == "500")
            // The plugin's hold on the guild's voice was released: the bot leaves.
            #expect(await eventually { rig.botLeftVoice })
        }
    }

    /// Whether the last Ogg page of `data` carries the end-of-stream flag (header type bit 0x04).
    static func endsWithEndOfStreamPage(_ data: Data) -> Bool {
        let bytes = [UInt8](data), capture = Array("OggS".utf8)
        guard bytes.count > 5 else { return false }
        let last = stride(from: bytes.count - 4, through: 0, by: -1).first { Array(bytes[$0..<$0 + 4]) == capture }
        guard let last, last + 5 < bytes.count else { return false }
        return bytes[last + 5] & 0x04 != 0
    }
}
