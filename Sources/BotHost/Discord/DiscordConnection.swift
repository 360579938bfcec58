import BotHostCore
import DiscordClient
import PluginHost
import Logging
import Synchronization

/// The host's whole Discord connection: REST (rate-limited), the gateway (shards), dispatches
/// onto the bus as `discord.<EVENT>`, interactions routed to plugins, and slash-command sync.
public final class DiscordConnection: Sendable {
    public let rest: DiscordREST
    private let settings: DiscordSettings
    private let runtime: HostRuntime
    private let responder: DiscordInteractionResponder
    private let router: InteractionRouter
    private let commandSync: CommandSync
    private let gateway = Mutex<GatewayClient?>(nil)
    private let applicationID = Mutex<UInt64>(0)
    private let syncGeneration = Atomic<UInt64>(0)
    /// The intents asked for at start, and those identified with now (they only grow).
    private let intents = Mutex<(base: UInt64, current: UInt64)>((0, 0))
    private let logger: Logger
    /// Voice joins, leaves and sessions; fed the voice dispatches below.
    public let voice: VoiceManager
    /// Voice as plugins share it (the ABI's voice_* calls), over `voice`.
    public let voiceService: VoiceService
    /// Consumes the runtime's lifecycle events (plugins started, commands changed).
    private let lifecycleWatch = Mutex<Task<Void, Never>?>(nil)
    /// Set by `start`: before it, plugins starting need no new intents and there is nothing to sync.
    private let started = Atomic<Bool>(false)
    /// Each shard's last reported state, to tell a resume from a fresh READY and a loss from a retry.
    private let lastShardStates = Mutex<[Int: ShardState]>([:])

    /// Throws when the API base URL or the token cannot be used (the message never quotes the token).
    /// `voiceSettings` nil: defaults, with ws:// voice only when the gateway URL is ws://.
    public init(settings: DiscordSettings, runtime: HostRuntime, gatewayOptions: GatewayConfiguration? = nil,
                voiceSettings: VoiceConnectionSettings? = nil) throws {
        self.settings = settings
        self.runtime = runtime
        logger = runtime.logger
        rest = try DiscordREST(baseURL: settings.apiBaseURL, token: settings.token.secret, logger: runtime.logger)
        responder = DiscordInteractionResponder(rest: rest)
        router = InteractionRouter(runtime: runtime, responder: responder)
        commandSync = CommandSync(rest: rest, records: runtime.database.records, logger: runtime.logger)
        runtime.setDiscord(rest)
        self.gatewayOptions = gatewayOptions
        voice = VoiceManager(settings: voiceSettings ?? VoiceConnectionSettings(gatewayURL: settings.gatewayURL ?? gatewayOptions?.urlOverride),
                             scheduler: runtime.scheduler, clock: runtime.clock, logger: runtime.logger)
        voiceService = VoiceService(manager: voice, listeners: runtime.voiceListeners, logger: runtime.logger)
        voice.useGateway { [weak self] shard, data in
            guard let self else { throw VoiceConnectionError.gatewayNotReady }
            try await self.send(shard: shard, op: 4, data: data)
        }
        runtime.setVoice(voiceService)
        // Subscribed here, before any plugin starts: a stop or a command change is never missed.
        let lifecycle = runtime.events.stream()
        lifecycleWatch.withLock { $0 = Task { [weak self] in
            for await event in lifecycle {
                guard let self else { return }
                self.lifecycleChanged(event)
            }
        } }
    }

    private func lifecycleChanged(_ event: LifecycleEvent) {
        switch event {
        case .pluginStarted:
            // A plugin enabled later may need more intents; they only take effect at identify.
            if started.load(ordering: .acquiring) { pluginsChanged() }
        case .commandsChanged:
            if started.load(ordering: .acquiring) { scheduleCommandSync() }
        default:
            break
        }
    }

    /// `GET /gateway/bot` failed in a way worth retrying (5xx, 429).
    private struct GatewayBotUnavailable: Error, CustomStringConvertible { let description: String }

    private let gatewayOptions: GatewayConfiguration?

    /// Connects every shard with the given intents (the union of the plugins' declarations) and
    /// returns once they are ready. Throws when Discord refuses (bad token, disallowed intents …).
    public func start(intents: UInt64) async throws {
        self.intents.withLock { $0 = (intents, intents | runtime.gatewayIntents) }
        started.store(true, ordering: .releasing)
        var configuration = gatewayOptions ?? GatewayConfiguration(token: settings.token.secret, intents: intents)
        configuration.token = settings.token.secret
        configuration.intents = currentIntents
        if let url = settings.gatewayURL { configuration.urlOverride = url }
        let rest = self.rest
        let client = GatewayClient(
            configuration: configuration,
            fetchGatewayBot: {
                let answer = try await rest.send("GET", "/gateway/bot")
                guard answer.isSuccess else {
                    let detail = "GET /gateway/bot answered \(answer.status): \(String(decoding: answer.body.prefix(500), as: UTF8.self))"
                    // 5xx and 429 are an outage the client waits out; anything else is a refusal.
                    if answer.status >= 500 || answer.status == 429 { throw GatewayBotUnavailable(description: detail) }
                    throw GatewayError.refused(answer.status == 401 ? detail + " (the bot token is not valid)" : detail)
                }
                return try GatewayBotInfo(json: answer.body)
            },
            sink: DispatchSink(connection: self),
            logger: logger)
        gateway.withLock { $0 = client }
        try await client.start()
    }

    public func stop() async {
        lifecycleWatch.withLock { $0?.cancel(); $0 = nil }
        if runtime.voice === voiceService { runtime.setVoice(nil) }
        await voice.shutdown()
        if let client = gateway.withLock({ $0 }) { await client.stop() }
        if runtime.discord === rest { runtime.setDiscord(nil) }
        await rest.shutdown()
    }

    /// The intents the shards identify with.
    public var currentIntents: UInt64 { intents.withLock { $0.current } }

    /// Identifies again when the running plugins now need intents the shards lack. Intents never
    /// shrink while connected: extra events are harmless, a reconnect for them is not free.
    private func pluginsChanged() {
        let wanted = intents.withLock { state -> UInt64? in
            let union = state.base | runtime.gatewayIntents
            guard union & ~state.current != 0 else { return nil }
            state.current |= union
            return state.current
        }
        guard let wanted, let client = gateway.withLock({ $0 }) else { return }
        logger.info("a plugin needs gateway intents the connection lacks; identifying again with intents \(wanted)")
        Task { await client.changeIntents(wanted) }
    }

    public var shardStates: [Int: ShardState] { gateway.withLock { $0 }?.shardStates ?? [:] }

    /// The connection's part of a state dump: each shard, voice sessions, REST's invalid-request count.
    public func diagnosticReport() -> [String] {
        var lines = shardStates.sorted { $0.key < $1.key }.map { "gateway shard \($0.key): \($0.value)" }
        if lines.isEmpty { lines.append("gateway: not started") }
        let voiceSessions = voice.sessions
        lines.append("voice: \(voiceSessions.count) session(s)" + (voiceSessions.isEmpty ? "" : " in guild(s) " + voiceSessions.keys.sorted().map(String.init).joined(separator: ", ")))
        for (guild, session) in voiceSessions.sorted(by: { $0.key < $1.key }) {
            lines.append("voice guild \(guild): \(session.state); \(session.endToEndStatus)")
        }
        lines.append("REST: \(rest.invalidRequestCount) invalid request(s) in Discord's current window")
        return lines
    }

    /// Sends a gateway payload (e.g. op 4 voice state update) on a shard.
    public func send(shard: Int, op: Int, data: [UInt8]) async throws {
        guard let client = gateway.withLock({ $0 }) else { return }
        try await client.send(shard: shard, op: op, data: data)
    }

    // MARK: shard news

    /// Publishes `host.gateway.ready` when a shard completes its handshake and `host.gateway.lost`
    /// when a ready shard stops being ready, so plugins that need the gateway can wait for it.
    fileprivate func shardStateChanged(shard: Int, state: ShardState) {
        let previous = lastShardStates.withLock { states in
            defer { states[shard] = state }
            return states[shard]
        }
        let count = gateway.withLock { $0 }?.shardCount ?? 0
        if state.isReady {
            runtime.events.publish(HostEvent.ShardReady(shard: shard, shardCount: count, resumed: previous == .resuming))
        } else if previous?.isReady == true {
            runtime.events.publish(HostEvent.ShardLost(shard: shard, shardCount: count, reason: state.description))
        }
    }

    // MARK: dispatches

    fileprivate func handle(shard: Int, event: String, data: ArraySlice<UInt8>, sequence: Int) {
        switch event {
        case "INTERACTION_CREATE":
            let bytes = Array(data)
            // One decode serves the router and the bus's copy. Other plugins see the interaction,
            // but not its token: only the owner may answer it, through the host.
            let object = (try? JSONValue.parse(bytes))?.objectValue
            router.route(object.flatMap(ParsedInteraction.init), json: bytes)
            runtime.bus.publish(topic: "discord." + event, payload: object.map(Self.withoutToken) ?? [], origin: .gateway(shard: shard, sequence: sequence))
            return
        case "VOICE_STATE_UPDATE":
            voice.voiceStateUpdate(data)
        case "VOICE_SERVER_UPDATE":
            voice.voiceServerUpdate(data)
        default:
            break
        }
        runtime.bus.publish(topic: "discord." + event, payload: data, origin: .gateway(shard: shard, sequence: sequence))
    }

    /// Syncs soon, coalescing bursts of changes (a plugin registering several commands).
    private func scheduleCommandSync(after delay: Duration = .seconds(1)) {
        let generation = syncGeneration.add(1, ordering: .relaxed).newValue
        Task { [weak self] in
            if delay > .zero { try? await Task.sleep(for: delay) }
            guard let self, self.syncGeneration.load(ordering: .relaxed) == generation else { return }
            await self.syncCommands()
        }
    }

    /// Pushes the current command set to Discord if it changed since the last sync.
    @discardableResult
    func syncCommands() async -> [CommandSync.Outcome] {
        let app = applicationID.withLock { $0 }
        guard app != 0 else { return [] }
        return await commandSync.sync(applicationID: app, definitions: runtime.commands.definitions, guilds: settings.commandGuilds)
    }

    /// An INTERACTION_CREATE's `d` without its top-level "token" member.
    static func withoutToken(_ interaction: JSONObject) -> [UInt8] {
        var object = interaction
        object["token"] = nil
        return JSONValue.object(object).compactBytes
    }

    /// READY, decoded by the shard: voice learns the bot's user id, the responder and command
    /// sync the application id.
    fileprivate func ready(_ ready: ReadyEvent) {
        voice.gatewayReady(ready)
        guard let id = ready.applicationID else { return }
        applicationID.withLock { $0 = id }
        runtime.setApplicationID(id)
        responder.setApplicationID(id)
        scheduleCommandSync(after: .zero)
    }
}

/// Hands gateway events to the connection without keeping it alive.
private final class DispatchSink: GatewayEventSink {
    private weak let connection: DiscordConnection?

    init(connection: DiscordConnection) { self.connection = connection }

    func gatewayDispatch(shard: Int, event: String, data: ArraySlice<UInt8>, sequence: Int) {
        connection?.handle(shard: shard, event: event, data: data, sequence: sequence)
    }

    func gatewayStateChanged(shard: Int, state: ShardState) {
        connection?.shardStateChanged(shard: shard, state: state)
    }

    func gatewayReady(shard: Int, ready: ReadyEvent) {
        connection?.ready(ready)
    }
}
