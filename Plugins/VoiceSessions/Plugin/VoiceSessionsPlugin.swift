import Foundation
import PluginKit
import PluginSupport
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
    /// Replaced live by a config edit (`configChanged`).
    var config: VoiceSessionsConfig
    var book: SessionBook
    var voiceStates = VoiceStateBook()
    /// The audio consumers and recording of each session.
    var pipelines: [SessionKey: SessionPipeline] = [:]
    /// What plays in each guild (the bot has one voice output per guild).
    var players: [UInt64: FilePlayer] = [:]
    /// Joins in progress, with the channel they go to, so that two cannot race into two channels.
    var joining: [SessionKey: UInt64] = [:]
    /// Per guild, the call's end-to-end encryption as the host last described it (with the voice
    /// privacy code), for /voice status.
    var encryption: [UInt64: String] = [:]
    /// The cleanup each ended session waits for.
    var cleanupTimers: [SessionKey: Registration] = [:]
    /// The timer of `monitorTick`, replaced when `monitorInterval` changes.
    var monitorTimer: Registration?
    var pendingUsage: PendingUsage
    /// Tasks the plugin started (quota reports, notices, file loading), ended when it stops.
    let tasks = PluginTasks()
    /// Set by the cleanup hook: sessions end at once from then on, and voice time is kept for later.
    var isStopping = false

    init(host: PluginHost) throws {
        self.host = host
        config = try host.config().parse(VoiceSessionsConfig.parse)
        try Self.prepareRecordingDirectory(config)
        book = SessionBook(timing: config.timing, clock: { [host] in host.nowMilliseconds })
        pendingUsage = PendingUsage(storage: host.storage, log: host.log)
    }

    func start() throws {
        // Registered first, so it runs last: after the sessions have ended (which may start Tasks).
        try tasks.endWhenStopping(host)
        try host.cleanup.register { self.endEverySession() }
        try registerCommands()
        try subscribeToVoiceStates()
        if host.voice.isAvailable {
            try host.voice.onEvent(guild: nil) { event in self.voiceEvent(event) }
        } else {
            host.log.warning("this host has no voice support (ABI 1.3 voice calls): /voice join will explain that sessions cannot start")
        }
        try startMonitor()
        pendingUsage.load()
        flushPendingUsage()
        logSettings()
    }

    /// The cleanup hook: ends every session cleanly and at once while the plugin's state is alive —
    /// no cleanup delay, recordings finished, the guilds' voice released, `voice.session.ended`
    /// published. Voice time not yet reported is kept in storage and reported when the plugin
    /// next starts.
    func endEverySession() {
        isStopping = true
        for session in book.active {
            if let ended = book.end(session.key, reason: .pluginStopping) {
                pendingUsage.add(ended.unreportedMs, for: ended.session.key)
            }
        }
        for key in book.sessions.keys.sorted() { cleanUp(key) }
    }

    /// Frees what the cleanup hook left (nothing, unless it was abandoned at its deadline).
    func stop() {
        players.removeAll()
        pipelines.removeAll()
        cleanupTimers.removeAll()
    }

    /// Runs `operation` in a Task that ends when the plugin stops.
    func spawn(_ operation: @escaping @Sendable (isolated VoiceSessionsPlugin) async -> Void) {
        tasks.spawn(self, operation)
    }

    /// (Re)starts the monitor at the configured interval.
    func startMonitor() throws {
        monitorTimer?.cancel()
        monitorTimer = try host.timers.every(.milliseconds(config.timing.monitorIntervalMs)) { self.monitorTick() }
    }

    func logSettings() {
        let timing = config.timing
        host.log.info("sessions time out after \(DurationText.compact(milliseconds: timing.sessionTimeoutMs)) without activity "
                      + "(checked every \(DurationText.compact(milliseconds: timing.monitorIntervalMs))); recording "
                      + (config.recording.enabled ? "on, into \(config.recording.directory)" : "off")
                      + "; playback folder: \(config.playback.directory ?? "none")")
    }

    /// Recording needs its folder; one that cannot be created refuses the config.
    static func prepareRecordingDirectory(_ config: VoiceSessionsConfig) throws {
        guard config.recording.enabled else { return }
        do {
            try FileManager.default.createDirectory(atPath: config.recording.directory, withIntermediateDirectories: true)
        } catch {
            throw PluginError(.invalidArgument, "config: \"recording.directory\" \(config.recording.directory) cannot be "
                              + "created (\(error.localizedDescription)); choose a writable folder or set \"recording.enabled\" to false")
        }
    }
}

/// The library's one exported symbol.
@_cdecl("bothost_plugin_entry")
public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
    PluginExport.entry(VoiceSessionsPlugin.self, api)
}
