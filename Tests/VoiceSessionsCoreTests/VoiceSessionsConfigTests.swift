import StrictJSON
import Testing
import VoiceSessionsCore

/// The VoiceSessions config: the seed's defaults, every key, and errors that name the plugins.json
/// field and say how to fix it.
@Suite struct VoiceSessionsConfigTests {
    private func parse(_ json: String) throws(FieldError) -> VoiceSessionsConfig {
        try VoiceSessionsConfig.parse(Array(json.utf8))
    }

    private func problem(_ json: String) -> FieldError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func anEmptyConfigGivesTheSeedsDefaults() throws {
        let config = try parse("{}")
        #expect(config.timing == SessionTiming(monitorIntervalMs: 30_000, sessionTimeoutMs: 300_000, cleanupDelayMs: 5_000))
        #expect(config.quota == QuotaPolicy(whenUnavailable: .refuse, timeoutMs: 2_000))
        #expect(!config.recording.enabled && config.playback.directory == nil && config.allowEcho)
    }

    @Test func everyKeyIsRead() throws {
        let config = try parse("""
            {"monitorInterval": 10000, "sessionTimeout": 60000, "cleanupDelay": 0,
             "quota": {"whenUnavailable": "allow", "timeout": 500},
             "recording": {"enabled": true, "directory": "/var/rec"},
             "playback": {"directory": "sounds", "maxFileBytes": 1000},
             "allowEcho": false}
            """)
        #expect(config.timing == SessionTiming(monitorIntervalMs: 10_000, sessionTimeoutMs: 60_000, cleanupDelayMs: 0))
        #expect(config.quota == QuotaPolicy(whenUnavailable: .allow, timeoutMs: 500))
        #expect(config.recording == RecordingConfig(enabled: true, directory: "/var/rec"))
        #expect(config.playback == PlaybackConfig(directory: "sounds", maxFileBytes: 1_000))
        #expect(!config.allowEcho)
    }

    @Test func errorsNameTheFieldAndTheFix() {
        let cases: [(json: String, field: String, says: String)] = [
            (#"{"sessionTimout": 1000}"#, "sessionTimout", "known keys: monitorInterval, sessionTimeout"),
            (#"{"sessionTimeout": "5m"}"#, "sessionTimeout", #"must be a whole number, got "5m""#),
            (#"{"sessionTimeout": 500}"#, "sessionTimeout", "from 1000 to 86400000, got 500"),
            (#"{"monitorInterval": 60000, "sessionTimeout": 30000}"#, "sessionTimeout", "at least 60000"),
            (#"{"cleanupDelay": -1}"#, "cleanupDelay", "from 0 to 60000"),
            (#"{"quota": {"whenUnavailable": "maybe"}}"#, "quota.whenUnavailable", #"must be "refuse""#),
            (#"{"quota": {"timeout": 0}}"#, "quota.timeout", "from 100 to 30000"),
            (#"{"quota": true}"#, "quota", "must be a JSON object, got true"),
            (#"{"recording": {"enabled": "yes"}}"#, "recording.enabled", "must be true or false"),
            (#"{"recording": {"directory": ""}}"#, "recording.directory", "give a folder"),
            (#"{"recording": {"path": "x"}}"#, "recording.path", "known keys: enabled, directory"),
            (#"{"playback": {"maxFileBytes": 0}}"#, "playback.maxFileBytes", "from 1 to"),
        ]
        for (json, field, says) in cases {
            let error = problem(json)
            #expect(error?.field == field, "\(json): \(String(describing: error))")
            #expect(error?.problem.contains(says) == true, "\(json): \(String(describing: error))")
        }
        #expect(problem("[1]")?.description == "the config must be a JSON object")
        #expect(problem("{nope")?.description == "the config is not valid JSON")
        #expect(problem("  ")?.description.contains("is empty") == true)
    }
}
