import Foundation
import PluginKit
import StrictJSON
import VoiceSessionsCore

/// Voice sessions per user: `/voice join` brings the bot into the invoker's voice channel, the
/// session lasts while the user is active (speaking, or using session commands) and ends after
/// `sessionTimeout` without activity, when the user leaves, when the bot is moved or disconnected,
/// or with `/voice leave`. Voice time is checked with and reported to the RateLimit plugin over the
/// bus. Each session can record its user to an Ogg Opus file, play files, and echo the user's audio.
/// README.md documents the config, the commands and the bus topics.
///
/// Every reading of time is the host clock's and every wait a host timer, so tests drive timeouts
/// and cleanup by advancing the host's manual clock.
actor VoiceSessionsPlugin: Plugin {
    static let manifest = PluginManifest(
        name: "voicesessions", version: "1.0.0",
        description: "Voice sessions per user: join, activity timeouts, quotas, recording, playback",
        // GUILDS brings GUILD_CREATE with its voice_states; GUILD_VOICE_STATES every change after.
        intents: [.guilds, .guildVoiceStates],
        // It publishes voice.session.* and registers /voice.
        ownedNames: ["voice"])

    let host: PluginHost
    let config: VoiceSessionsConfig
    var book: SessionBook
    var voiceStates = VoiceStateBook()
    /// The audio consumers and recording of each session.
    var pipelines: [SessionKey: SessionPipeline] = [:]
    /// What plays in each guild (the bot has one voice output per guild).
    var players: [UInt64: FilePlayer] = [:]
    /// Joins in progress, with the channel they go to, so that two cannot race into two channels.
    var joining: [SessionKey: UInt64] = [:]
    /// The cleanup each ended session waits for.
    var cleanupTimers: [SessionKey: Registration] = [:]
    var pendingUsage: PendingUsage
    /// Tasks the plugin started (quota reports, notices, file loading), cancelled when it stops.
    var tasks: [Int: Task<Void, Never>] = [:]
    private var nextTaskID = 0
    var isStopping = false

    init(host: PluginHost) throws {
        self.host = host
        do {
            config = try VoiceSessionsConfig.parse(Array(try host.configJSON.utf8))
        } catch let error as FieldError {
            throw PluginError(.invalidArgument, "config: \(error)")
        }
        if config.recording.enabled {
            do {
                try FileManager.default.createDirectory(atPath: config.recording.directory, withIntermediateDirectories: true)
            } catch {
                throw PluginError(.invalidArgument, "config: \"recording.directory\" \(config.recording.directory) cannot be "
                                  + "created (\(error.localizedDescription)); choose a writable folder or set \"recording.enabled\" to false")
            }
        }
        book = SessionBook(timing: config.timing, clock: { [host] in host.nowMilliseconds })
        pendingUsage = PendingUsage(storage: host.storage, log: host.log)
    }

    func start() throws {
        try registerCommands()
        try subscribeToVoiceStates()
        if host.voice.isAvailable {
            try host.voice.onEvent(guild: nil) { event in self.voiceEvent(event) }
        } else {
            host.log.warning("this host has no voice support (ABI 1.3 voice calls): /voice join will explain that sessions cannot start")
        }
        try host.timers.every(.milliseconds(config.timing.monitorIntervalMs)) { self.monitorTick() }
        pendingUsage.load()
        flushPendingUsage()
        let timing = config.timing
        host.log.info("sessions time out after \(DurationText.of(milliseconds: timing.sessionTimeoutMs)) without activity "
                      + "(checked every \(DurationText.of(milliseconds: timing.monitorIntervalMs))); recording "
                      + (config.recording.enabled ? "on, into \(config.recording.directory)" : "off")
                      + "; playback folder: \(config.playback.directory ?? "none")")
    }

    /// Stopping ends every session cleanly and at once: no cleanup delay, recordings finished, the
    /// guilds' voice released, `voice.session.ended` published. Voice time not yet reported is kept
    /// in storage and reported when the plugin next starts.
    func stop() {
        isStopping = true
        for task in tasks.values { task.cancel() }
        tasks.removeAll()
        for session in book.active {
            if let ended = book.end(session.key, reason: .pluginStopping) {
                pendingUsage.add(ended.unreportedMs, for: ended.session.key)
            }
        }
        for key in book.sessions.keys.sorted() { cleanUp(key) }
    }

    /// Runs `operation` in a Task the plugin cancels when it stops.
    func spawn(_ operation: @escaping @Sendable (isolated VoiceSessionsPlugin) async -> Void) {
        guard !isStopping else { return }
        nextTaskID += 1
        let id = nextTaskID
        tasks[id] = Task {
            await operation(self)
            self.tasks[id] = nil
        }
    }
}

/// The library's one exported symbol.
@_cdecl("bothost_plugin_entry")
public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
    PluginExport.entry(VoiceSessionsPlugin.self, api)
}
