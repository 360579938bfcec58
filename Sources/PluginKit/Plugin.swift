/// A BotHost plugin written in Swift: an actor whose executor is the host's per-plugin serial
/// executor, so its methods, the handlers it registers and the Tasks it spawns all run one at a time
/// with every other callback of the plugin.
///
///     actor Greeter: Plugin {
///         static let manifest = PluginManifest(name: "greeter", version: "1.0.0", description: "Says hello")
///         let host: PluginHost
///         init(host: PluginHost) throws { self.host = host }
///         func start() throws { try host.timers.every(.seconds(60)) { self.tick() } }
///         func tick() { host.log.info("tick") }
///     }
///
/// Do not declare `unownedExecutor` yourself: the extension below supplies the host's executor, and
/// PluginKit refuses to start a plugin whose actor reports another one.
public protocol Plugin: Actor {
    /// Name, version, description and gateway intents, read when the host inspects the library.
    static var manifest: PluginManifest { get }

    /// The host, as passed to `init(host:)`. A `let host: PluginHost` satisfies this.
    nonisolated var host: PluginHost { get }

    /// Reads the config (`host.config(as:)`) and prepares state. Throw to refuse to load: the error's
    /// text reaches the operator. Nothing can be registered yet; do that in `start()`.
    init(host: PluginHost) throws

    /// Registers commands, subscriptions, timers… Runs isolated on the plugin's executor; Tasks
    /// created here inherit it. Throwing stops the plugin again, with the error as the reason.
    func start() throws

    /// The plugin is stopping (cannot be vetoed): release state. The cleanup hooks have already run
    /// (`host.cleanup`: that is where work that needs live state ends — sessions, files, Tasks in
    /// flight); after this the host removes every remaining registration.
    func stop()

    /// plugins.json gave the plugin a new config while it runs.
    ///
    /// - Return true when the change was applied live.
    /// - Return false (the default) to have the host restart the plugin (cleanup hooks, stop, init,
    ///   start) with the new config.
    /// - Throw to refuse a config that is invalid. Leave everything as it was: the plugin keeps
    ///   running on its previous config (which `host.config()` goes on returning), PluginKit logs the
    ///   error's text, and the host reports the refusal until plugins.json is fixed. Check the whole
    ///   new config before changing anything, so a refusal never leaves half of it applied.
    func configChanged(_ config: PluginConfig) throws -> Bool
}

extension Plugin {
    /// The host's serial executor for this plugin.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        host.executor.asUnownedSerialExecutor()
    }

    public func stop() {}

    public func configChanged(_ config: PluginConfig) -> Bool { false }
}
