import PluginKit
import PluginSupport

/// Voice-usage quotas and general rate limits, offered to other plugins as bus services
/// (`ratelimit.voice.check`, `ratelimit.voice.track`, `ratelimit.acquire`) and to people as
/// `/usage` and `/ratelimit reset`. README.md documents the shapes and the config.
///
/// Every reading of time is the host clock's, and every periodic job a host timer, so tests drive
/// windows, resets and cleanup by advancing the host's manual clock.
actor RateLimitPlugin: Plugin {
    static let manifest = PluginManifest(
        name: "ratelimit", version: "1.0.0",
        description: "Voice-usage quotas and command cooldowns, as bus services",
        // /usage is RateLimit's whoever loads first; ratelimit.* and /ratelimit come with the name.
        ownedNames: ["usage"])

    let host: PluginHost
    /// Replaced live by a config edit (`configChanged`).
    var config: RateLimitConfig
    var voiceStore: VoiceStore
    var ledger: VoiceLedger
    var limiters: LimiterRegistry
    /// The periodic jobs, restarted when their interval changes.
    var cleanupTimer: Registration?
    var sweepTimer: Registration?

    init(host: PluginHost) throws {
        self.host = host
        config = try host.config().parse(RateLimitConfig.parse)
        voiceStore = VoiceStore(storage: host.storage, log: host.log)
        ledger = VoiceLedger(policy: config.voice)
        limiters = LimiterRegistry(specs: config.limiters, epochMs: host.nowMilliseconds)
    }

    func start() throws {
        try host.cleanup.register { self.flushUsage() }
        for (key, usage) in try voiceStore.load() { ledger.restore(key, usage) }
        cleanupVoice()

        try host.bus.serve("ratelimit.voice.check") { message in try self.voiceCheck(message) }
        try host.bus.serve("ratelimit.voice.track") { message in try self.voiceTrack(message) }
        try host.bus.serve("ratelimit.acquire") { message in try self.acquire(message) }
        try host.bus.serve("ratelimit.stats") { _ in self.stats() }
        try registerCommands()

        try startCleanupTimer()
        try startSweepTimer()
        logSettings()
    }

    /// The cleanup hook: voice usage whose write failed is written again while the ledger is alive,
    /// so a stop loses none of it.
    func flushUsage() {
        voiceStore.flush(ledger)
        if !voiceStore.unsaved.isEmpty {
            host.log.error("stopping with the voice usage of \(voiceStore.unsaved.count) users not stored: "
                           + voiceStore.unsaved.sorted().joined(separator: ", "))
        }
    }

    func startCleanupTimer() throws {
        cleanupTimer?.cancel()
        cleanupTimer = try host.timers.every(.milliseconds(config.voice.cleanupIntervalMs)) { self.cleanupVoice() }
    }

    func startSweepTimer() throws {
        sweepTimer?.cancel()
        sweepTimer = try host.timers.every(.milliseconds(config.sweepIntervalMs)) { self.sweepLimiters() }
    }

    func logSettings() {
        host.log.info("voice quota \(DurationText.compact(milliseconds: config.voice.maxDurationMs)) per "
                      + "\(DurationText.compact(milliseconds: config.voice.resetTimeMs)), \(ledger.entries.count) users on record; "
                      + "limiters: \(limiters.names.joined(separator: ", "))")
    }

    /// `ratelimit.stats`: {"limiterKeys": N, "voiceUsers": M} — what the plugin holds in memory.
    func stats() -> RawJSON {
        RawJSON("{\"limiterKeys\":\(limiters.keyCount),\"voiceUsers\":\(ledger.entries.count)}")
    }
}

/// The library's one exported symbol.
@_cdecl("bothost_plugin_entry")
public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
    PluginExport.entry(RateLimitPlugin.self, api)
}
