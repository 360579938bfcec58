import BotHostCore
import DiscordClient
import Foundation
import Logging
import PluginAPI
import Synchronization

/// The services every plugin shares: clock and timers, the bus, commands, storage, HTTP, events.
/// `PluginManager` decides which plugins run; the runtime is what they run on.
public final class HostRuntime: Sendable {
    public let settings: HostSettings
    public let clock: any HostClock
    public let bus: MessageBus
    public let commands: CommandRegistry
    public let logger: Logger
    /// Which running plugin owns which bus names and command names.
    package let names = NameOwnership()
    package let scheduler: TimerScheduler
    package let broker: RequestBroker
    package let database: HostDatabase
    package let http: PluginHTTPClient
    /// Lifecycle news: typed streams for the host's parts, JSON `host.…` events for plugins.
    public let events: HostEvents
    package let watchdog: Watchdog
    private let live = Mutex<[String: PluginInstance]>([:])
    private let discordClient = Mutex<DiscordREST?>(nil)
    private let voiceService = Mutex<VoiceService?>(nil)
    private let discordEverConnected = Atomic(false)
    private let application = Atomic<UInt64>(0)
    /// Plugins listening to voice audio and events; kept here so subscriptions outlive connections.
    package let voiceListeners = VoiceListeners()

    public init(settings: HostSettings, database: HostDatabase, clock: any HostClock = SystemClock(),
                logger: Logger = Logger(label: "bothost")) {
        self.settings = settings
        self.clock = clock
        self.database = database
        self.logger = logger
        scheduler = TimerScheduler(clock: clock)
        bus = MessageBus()
        broker = RequestBroker(scheduler: scheduler)
        events = HostEvents(bus: bus)
        commands = CommandRegistry(events: events)
        http = PluginHTTPClient()
        watchdog = Watchdog(budgetMs: settings.callbackBudgetMs, maxOverruns: settings.maxOverruns,
                            capacity: settings.busQueueCapacity, capacityBytes: settings.busQueueCapacityBytes, logger: logger)
        watchdog.start(runtime: self)
    }

    /// The host's C function table (the same for every plugin).
    public static var apiTable: UnsafePointer<bothost_host_api> { HostAPI.table }

    /// Stops timers, the watchdog and the HTTP client. Call after every plugin has stopped.
    public func shutdown() async {
        watchdog.stop()
        scheduler.shutdown()
        events.finish()
        await http.shutdown()
    }

    // MARK: Discord

    /// The REST client behind plugins' discord_request; nil while no Discord connection is up.
    /// Set by the connection that owns it (a runtime outlives connections: reconnects, tests).
    public var discord: DiscordREST? { discordClient.withLock { $0 } }

    /// Makes `client` the one plugins reach (nil: none). The connection calls this when it is
    /// created (before any plugin starts, so REST works from a plugin's `start`) and at stop.
    public func setDiscord(_ client: DiscordREST?) {
        discordClient.withLock { $0 = client }
        if client != nil { discordEverConnected.store(true, ordering: .relaxed) }
    }

    /// The bot's application id, from READY; 0 until then.
    public var applicationID: UInt64 { application.load(ordering: .relaxed) }
    package func setApplicationID(_ id: UInt64) { application.store(id, ordering: .relaxed) }

    /// Why there is no Discord client, in words for the plugin whose call needs one.
    package func noDiscordReason(for what: String) -> String {
        discordEverConnected.load(ordering: .relaxed)
            ? "the host's Discord connection has stopped (the host is shutting down), so \(what) is unavailable"
            : "this host runs without Discord: no bot token is configured (DISCORD_TOKEN or --token-file), so \(what) is unavailable"
    }

    /// The voice behind plugins' voice_* calls; nil while no Discord connection is up.
    public var voice: VoiceService? { voiceService.withLock { $0 } }

    public func setVoice(_ service: VoiceService?) { voiceService.withLock { $0 = service } }

    // MARK: live plugins (for the watchdog and status)

    package func attach(_ instance: PluginInstance) { live.withLock { $0[instance.name] = instance } }
    package func detach(_ instance: PluginInstance) {
        live.withLock { table in if table[instance.name] === instance { table[instance.name] = nil } }
    }
    package var liveInstances: [PluginInstance] { live.withLock { Array($0.values) } }

    /// The union of the gateway intents the running plugins declare.
    public var gatewayIntents: UInt64 {
        live.withLock { $0.values.reduce(0) { $0 | $1.library.descriptor.gatewayIntents } }
    }


    // MARK: host-side entry points (CLI, tests, and later the Discord router)

    /// Publishes from the host itself (e.g. Discord dispatches).
    @discardableResult
    public func publish(topic: String, payload: [UInt8]) throws -> MessageBus.PublishResult {
        if let problem = TopicPattern.validateTopic(topic) { throw problem }
        return bus.publish(topic: topic, payload: payload)
    }

    /// Routes a slash-command invocation to the plugin that registered it. Returns the interaction handle.
    @discardableResult
    public func invokeCommand(_ invocation: CommandInvocation, responder: any InteractionResponder) throws(CommandDispatchError) -> UInt64 {
        try invokeCommand(invocation, responder: responder, deadlines: nil)
    }

    /// With `deadlines`, the host also acknowledges for a plugin slow to answer and tells the user
    /// when it never does (Discord's router; the console and tests wait as long as it takes).
    @discardableResult
    package func invokeCommand(_ invocation: CommandInvocation, responder: any InteractionResponder,
                               deadlines: InteractionDeadlines?) throws(CommandDispatchError) -> UInt64 {
        let session = try commands.dispatch(invocation, responder: responder, owners: Set(settings.owners), nowMs: clock.nowMs())
        if let deadlines { session.armDeadlines(deadlines, on: scheduler, logger: logger) }
        return session.handle
    }
}
