import StrictJSON

/// The plugin's config from plugins.json; every key is optional and README.md lists them:
///
///     {"monitorInterval": 30000, "sessionTimeout": 300000, "cleanupDelay": 5000,
///      "quota": {"whenUnavailable": "refuse", "timeout": 2000},
///      "recording": {"enabled": false, "directory": "data/voice-recordings"},
///      "playback": {"directory": "sounds", "maxFileBytes": 67108864},
///      "allowEcho": true}
public struct VoiceSessionsConfig: Sendable, Equatable, Decodable {
    public var timing = SessionTiming()
    public var quota = QuotaPolicy()
    public var recording = RecordingConfig()
    public var playback = PlaybackConfig()
    /// Whether `/voice join echo:true` may send a user's own audio back to them.
    public var allowEcho = true

    public init() {}

    /// Parses the config JSON; an error names the field (`recording.directory`) and the fix.
    public static func parse(_ bytes: [UInt8]) throws(FieldError) -> VoiceSessionsConfig {
        try JSONFields.decode(VoiceSessionsConfig.self, from: bytes, what: "the config")
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONFields(decoder)
        try fields.rejectUnknown(known: ["monitorInterval", "sessionTimeout", "cleanupDelay", "quota", "recording",
                                          "playback", "allowEcho"])
        timing.monitorIntervalMs = try Self.milliseconds(fields, "monitorInterval", 1_000...3_600_000) ?? timing.monitorIntervalMs
        timing.sessionTimeoutMs = try Self.milliseconds(fields, "sessionTimeout", 1_000...86_400_000) ?? timing.sessionTimeoutMs
        timing.cleanupDelayMs = try Self.milliseconds(fields, "cleanupDelay", 0...60_000) ?? timing.cleanupDelayMs
        guard timing.sessionTimeoutMs >= timing.monitorIntervalMs else {
            throw FieldError("sessionTimeout", "is \(timing.sessionTimeoutMs) ms, shorter than \"monitorInterval\" "
                             + "(\(timing.monitorIntervalMs) ms), which is how often timeouts are checked; "
                             + "make it at least \(timing.monitorIntervalMs) or lower \"monitorInterval\"")
        }
        quota = try Self.section("quota", fields, QuotaPolicy.read(from:)) ?? quota
        recording = try Self.section("recording", fields, RecordingConfig.read(from:)) ?? recording
        playback = try Self.section("playback", fields, PlaybackConfig.read(from:)) ?? playback
        allowEcho = try fields.bool("allowEcho") ?? allowEcho
    }

    /// Reads a nested object; its errors name the full path (`quota.whenUnavailable`).
    private static func section<T>(_ name: String, _ fields: JSONFields,
                                   _ read: (JSONFields) throws(FieldError) -> T) throws(FieldError) -> T? {
        guard let object = try fields.object(name) else { return nil }
        do {
            return try read(object)
        } catch {
            throw error.inside(name)
        }
    }

    /// A duration in milliseconds within `range`.
    static func milliseconds(_ fields: JSONFields, _ name: String, _ range: ClosedRange<Int64>) throws(FieldError) -> Int64? {
        guard let value = try fields.integer(name) else { return nil }
        guard range.contains(value) else {
            throw FieldError(name, "must be a number of milliseconds from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }
}

/// How sessions are watched: the seed's MONITOR_INTERVAL, SESSION_TIMEOUT and CLEANUP_DELAY.
public struct SessionTiming: Sendable, Equatable {
    /// How often sessions are checked for a timeout and their voice time reported.
    public var monitorIntervalMs: Int64 = 30_000
    /// A session with no activity (speech or a session command) for longer than this ends.
    public var sessionTimeoutMs: Int64 = 300_000
    /// How long an ended session keeps its audio pipeline before cleanup, so audio already in
    /// flight (the end of a playback, the last frames of a recording) is not cut off.
    public var cleanupDelayMs: Int64 = 5_000

    public init(monitorIntervalMs: Int64 = 30_000, sessionTimeoutMs: Int64 = 300_000, cleanupDelayMs: Int64 = 5_000) {
        self.monitorIntervalMs = monitorIntervalMs
        self.sessionTimeoutMs = sessionTimeoutMs
        self.cleanupDelayMs = cleanupDelayMs
    }
}

/// Recording each session's user to an Ogg Opus file: off unless the operator turns it on.
public struct RecordingConfig: Sendable, Equatable {
    public var enabled = false
    /// Where recordings go; relative paths are relative to the host's working directory.
    public var directory = "data/voice-recordings"

    public init(enabled: Bool = false, directory: String = "data/voice-recordings") {
        self.enabled = enabled
        self.directory = directory
    }

    static func read(from fields: JSONFields) throws(FieldError) -> RecordingConfig {
        try fields.rejectUnknown(known: ["enabled", "directory"])
        var config = RecordingConfig()
        config.enabled = try fields.bool("enabled") ?? config.enabled
        if let directory = try fields.string("directory") {
            guard !directory.isEmpty else {
                throw FieldError("directory", "is empty; give a folder for the recordings, e.g. \"data/voice-recordings\"")
            }
            config.directory = directory
        }
        return config
    }
}

/// `/voice play`: the one folder files are played from.
public struct PlaybackConfig: Sendable, Equatable {
    /// nil: `/voice play` answers that no folder is configured.
    public var directory: String?
    /// Larger files are refused (a WAV file is decoded whole before it plays).
    public var maxFileBytes: Int64 = 64 << 20

    public init(directory: String? = nil, maxFileBytes: Int64 = 64 << 20) {
        self.directory = directory
        self.maxFileBytes = maxFileBytes
    }

    static func read(from fields: JSONFields) throws(FieldError) -> PlaybackConfig {
        try fields.rejectUnknown(known: ["directory", "maxFileBytes"])
        var config = PlaybackConfig()
        if let directory = try fields.string("directory") {
            guard !directory.isEmpty else {
                throw FieldError("directory", "is empty; give the folder /voice play may read from, e.g. \"sounds\", or leave the key out")
            }
            config.directory = directory
        }
        if let bytes = try fields.integer("maxFileBytes") {
            let limit: Int64 = 1 << 30
            guard (1...limit).contains(bytes) else {
                throw FieldError("maxFileBytes", "must be a number of bytes from 1 to \(limit) (1 GiB), got \(bytes)")
            }
            config.maxFileBytes = bytes
        }
        return config
    }
}
