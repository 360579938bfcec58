import Foundation

/// The JSON of the plugin's bus events (`voice.session.*`). Snowflakes are strings of digits (JSON
/// numbers lose precision past 2^53); times are host-clock milliseconds since the epoch.
public enum SessionEventJSON {
    /// `voice.session.started`
    public static func started(_ session: VoiceSession) -> [UInt8] {
        encode(SessionFields(session, nowMs: session.startedAtMs))
    }

    /// `voice.session.timeout`: the session was idle for longer than `timeoutMs`.
    public static func timeout(_ session: VoiceSession, timeoutMs: Int64) -> [UInt8] {
        var fields = SessionFields(session, nowMs: session.endedAtMs ?? session.lastActivityMs)
        fields.timeoutMs = timeoutMs
        return encode(fields)
    }

    /// `voice.session.ended`, once the session is cleaned up.
    public static func ended(_ session: VoiceSession, reason: EndReason, recording: String?, cleanupErrors: Int) -> [UInt8] {
        var fields = SessionFields(session, nowMs: session.endedAtMs ?? session.lastActivityMs)
        fields.reason = reason.rawValue
        fields.recordingFile = recording
        fields.cleanupErrors = cleanupErrors
        return encode(fields)
    }

    /// `voice.session.cleanup_error`: steps of a (forced, completed) cleanup that failed.
    public static func cleanupError(_ session: VoiceSession, failures: [CleanupFailure]) -> [UInt8] {
        var fields = SessionFields(session, nowMs: session.endedAtMs ?? session.lastActivityMs)
        fields.errors = failures.map { StepError(step: $0.step, error: $0.message) }
        return encode(fields)
    }

    private static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain strings, integers and booleans cannot fail to encode.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }

    private struct SessionFields: Encodable {
        let guildId: String
        let userId: String
        let voiceChannelId: String
        let textChannelId: String
        let startedAtMs: Int64
        let lastActivityMs: Int64
        let durationMs: Int64
        /// Whether the session records its user.
        let recorded: Bool
        let echo: Bool
        var endedAtMs: Int64?
        var timeoutMs: Int64?
        var reason: String?
        /// The recording's path, once it is finished.
        var recordingFile: String?
        var cleanupErrors: Int?
        var errors: [StepError]?

        init(_ session: VoiceSession, nowMs: Int64) {
            guildId = String(session.key.guildID)
            userId = String(session.key.userID)
            voiceChannelId = String(session.voiceChannelID)
            textChannelId = String(session.textChannelID)
            startedAtMs = session.startedAtMs
            lastActivityMs = session.lastActivityMs
            durationMs = session.durationMs(nowMs: nowMs)
            recorded = session.settings.record
            echo = session.settings.echo
            endedAtMs = session.endedAtMs
        }
    }

    private struct StepError: Encodable {
        let step: String
        let error: String
    }
}
