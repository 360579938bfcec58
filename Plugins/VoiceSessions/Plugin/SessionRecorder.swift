import AudioFiles
import Foundation
import PluginKit
import VoiceSessionsCore

/// Records one user's Opus packets to an Ogg Opus file as they were received — no re-encoding —
/// with their pauses kept as silence frames (see `RecordingTimeline`). The file is named
/// `<guild>-<user>-<start ms>.opus` in the recording folder.
final class SessionRecorder {
    let path: String
    private let writer: OggOpusWriter
    private var timeline = RecordingTimeline()
    private var failed = false
    private var skipped = 0
    private var finished = false

    init(directory: String, session: VoiceSession) throws {
        let name = "\(session.key.guildID)-\(session.key.userID)-\(session.startedAtMs).opus"
        path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        let configuration = OggOpusWriter.Configuration(
            channelCount: 2, vendor: "BotHost VoiceSessions",
            comments: ["DISCORD_GUILD=\(session.key.guildID)", "DISCORD_USER=\(session.key.userID)",
                       "DISCORD_CHANNEL=\(session.voiceChannelID)"])
        do {
            writer = try OggOpusWriter(path: path, configuration: configuration)
        } catch {
            throw PluginError(.io, "cannot start the recording \(path): \(error)")
        }
    }

    /// Appends a frame (and the silence before it). A malformed packet is skipped; a write error
    /// ends the recording (what was written stays playable up to its last page).
    func write(_ frame: VoiceFrame, log: Log) {
        guard !failed, !finished, !frame.opus.isEmpty else { return }
        do {
            let silence = timeline.silenceFrames(before: frame.ssrc, timestamp: frame.rtpTimestamp)
            for _ in 0..<silence { try writer.write(packet: RecordingTimeline.silenceFrame) }
            try writer.write(packet: frame.opus)
        } catch OggOpusError.invalidOpusPacket {
            skipped += 1
            if skipped == 1 { log.warning("recording \(path): skipped a packet that is not valid Opus") }
        } catch {
            failed = true
            log.error("recording \(path) stopped: \(error)")
        }
    }

    /// Writes the end-of-stream page and closes the file.
    func finish() throws {
        guard !finished else { return }
        finished = true
        do {
            try writer.finish()
        } catch {
            throw PluginError(.io, "could not finish the recording \(path): \(error)")
        }
    }
}
