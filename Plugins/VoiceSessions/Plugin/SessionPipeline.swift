import PluginKit
import VoiceSessionsCore

/// One session's audio: a subscription to its user's Opus frames that counts them as activity,
/// writes them to the recording (when the session records) and sends them back (when it echoes).
/// Other plugins subscribe and send through the ABI on their own; nothing here is exclusive.
final class SessionPipeline {
    let key: SessionKey
    private var audio: Registration?
    private var recorder: SessionRecorder?
    private(set) var echo: Bool
    /// Echo frames the host did not take (queue full, another plugin sending), for the log.
    private var echoDropped = 0

    private init(key: SessionKey, echo: Bool) {
        self.key = key
        self.echo = echo
    }

    /// Where the recording is written, if the session records.
    var recordingPath: String? { recorder?.path }

    /// Subscribes to the guild's audio (Opus, as received: nothing is decoded for this) and opens
    /// the recording; if either fails, nothing is left behind.
    static func start(for session: VoiceSession, plugin: isolated VoiceSessionsPlugin) throws -> SessionPipeline {
        let pipeline = SessionPipeline(key: session.key, echo: session.settings.echo)
        let key = session.key
        pipeline.audio = try plugin.host.voice.onAudio(guild: key.guildID, format: .opus) { frame in
            plugin.frameArrived(frame, for: key)
        }
        if session.settings.record {
            do {
                pipeline.recorder = try SessionRecorder(directory: plugin.config.recording.directory, session: session)
            } catch {
                pipeline.stopConsumers()
                throw error
            }
        }
        return pipeline
    }

    /// One frame of the guild's audio; only the session's user concerns it.
    func consume(_ frame: VoiceFrame, voice: Voice, log: Log, playing: Bool) {
        guard frame.userID == key.userID else { return }
        recorder?.write(frame, log: log)
        guard echo, !playing else { return }
        do {
            try voice.send(guild: key.guildID, opus: frame.opus)
        } catch {
            echoDropped += 1
            if echoDropped == 1 || echoDropped % 500 == 0 {
                log.warning("echo for \(key) dropped \(echoDropped) frame(s), latest: \(error)")
            }
        }
    }

    /// Cleanup step 1: no more frames reach this session.
    func stopConsumers() {
        audio?.cancel()
        audio = nil
        echo = false
    }

    /// Cleanup step 3: finishes the recording (its last page, marked end-of-stream).
    func release() throws {
        try recorder?.finish()
    }
}

extension VoiceSessionsPlugin {
    func frameArrived(_ frame: VoiceFrame, for key: SessionKey) {
        guard let pipeline = pipelines[key], frame.userID == key.userID else { return }
        book.recordActivity(key)
        pipeline.consume(frame, voice: host.voice, log: host.log, playing: players[key.guildID] != nil)
    }
}
