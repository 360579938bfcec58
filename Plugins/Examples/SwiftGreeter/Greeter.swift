import PluginKit

/// The example Swift plugin: `/greet`, a greeting counter served on the bus, an optional periodic
/// announcement, and a cleanup hook. Copy it as a starting point.
actor Greeter: Plugin {
    static let manifest = PluginManifest(
        name: "greeter", version: "1.0.0", description: "Greets people with /greet and counts the greetings",
        intents: [.guilds])

    /// plugins.json → "config": {"greeting": "Hello", "announceEverySeconds": 0}; both optional.
    struct Config: Decodable {
        var greeting = "Hello"
        var announceEverySeconds = 0

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            greeting = try container.decodeIfPresent(String.self, forKey: .greeting) ?? greeting
            announceEverySeconds = try container.decodeIfPresent(Int.self, forKey: .announceEverySeconds) ?? 0
        }

        enum CodingKeys: String, CodingKey { case greeting, announceEverySeconds }
    }

    let host: PluginHost
    private let config: Config
    private var ticks = 0
    private static let countKey = "greetings.count"

    init(host: PluginHost) throws {
        self.host = host
        config = try host.config(as: Config.self)
        guard !config.greeting.isEmpty else {
            throw PluginError(.invalidArgument, "config \"greeting\" must not be empty")
        }
    }

    func start() throws {
        let greet = CommandDefinition(name: "greet", description: "Say hello",
                                      options: [.string("name", "Who to greet (default: you)")])
        try host.commands.register(greet) { interaction in self.greet(interaction) }

        try host.bus.serve("greeter.count") { _ in ["count": try self.count()] }

        try host.bus.subscribe("demo.>") { [host] message in
            host.log.debug("saw \(message.topic): \(message.text)")
        }

        if config.announceEverySeconds > 0 {
            try host.timers.every(.seconds(config.announceEverySeconds)) { self.announce() }
        }

        try host.cleanup.register { [host] in host.log.info("greeter cleaned up") }
    }

    private func greet(_ interaction: Interaction) {
        let name = interaction.option("name", as: String.self) ?? interaction.userMention
        do {
            try interaction.reply("\(config.greeting), \(name)!", ephemeral: true)
            try host.storage.set(Self.countKey, try count() + 1)
        } catch {
            host.log.error("/greet failed: \(error)")
        }
    }

    private func count() throws -> Int {
        try host.storage.get(Self.countKey, as: Int.self) ?? 0
    }

    private func announce() {
        ticks += 1
        do {
            try host.bus.publish("greeter.tick", json: ["n": ticks])
        } catch {
            host.log.warning("could not publish greeter.tick: \(error)")
        }
    }
}

/// The library's one exported symbol.
@_cdecl("bothost_plugin_entry")
public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
    PluginExport.entry(Greeter.self, api)
}
