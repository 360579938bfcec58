import PluginKit

/// The example Swift plugin: `/greet` with autocomplete for its name option and a "wave back"
/// button, a greeting counter served on the bus, an optional periodic announcement, and a cleanup
/// hook. Copy it as a starting point.
actor Greeter: Plugin {
    static let manifest = PluginManifest(
        name: "greeter", version: "1.0.0", description: "Greets people with /greet and counts the greetings",
        intents: [.guilds], ownedNames: ["greet"])

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
                                      options: [.string("name", "Who to greet (default: you)", autocomplete: true)])
        try host.commands.register(greet) { interaction in self.greet(interaction) }
        try host.commands.onAutocomplete(command: "greet") { interaction in self.suggestNames(interaction) }
        // Every custom_id this plugin creates starts with "greeter:".
        try host.commands.onComponent(prefix: Self.wavePrefix) { interaction in self.waveBack(interaction) }

        try host.bus.serve("greeter.count") { _ in ["count": try self.count()] }

        try host.bus.subscribe("demo.>") { [host] message in
            host.log.debug("saw \(message.topic): \(message.text)")
        }

        if config.announceEverySeconds > 0 {
            try host.timers.every(.seconds(config.announceEverySeconds)) { self.announce() }
        }

        try host.cleanup.register { [host] in host.log.info("greeter cleaned up") }
    }

    private static let wavePrefix = "greeter:wave"
    private static let namesKey = "greetings.names"

    /// A message with the greeting and a button that answers it.
    private struct GreetingMessage: Encodable {
        struct Button: Encodable { let type = 2, style = 1; let label: String; let custom_id: String }
        struct Row: Encodable { let type = 1; let components: [Button] }
        let content: String
        let components: [Row]
    }

    private func greet(_ interaction: Interaction) {
        let name = interaction.option("name", as: String.self) ?? interaction.userMention
        let text = "\(config.greeting), \(name)!"
        let wave = GreetingMessage.Button(label: "Wave back", custom_id: Self.wavePrefix)
        do {
            try interaction.reply(message: GreetingMessage(content: text, components: [.init(components: [wave])]))
            try host.storage.set(Self.countKey, try count() + 1)
            try remember(name)
        } catch {
            host.log.error("/greet failed: \(error)")
        }
    }

    /// The button: the message is updated in place, without its button.
    private func waveBack(_ interaction: Interaction) {
        struct Waved: Encodable { let content: String; let components: [GreetingMessage.Row] = [] }
        let original = (try? interaction.decode(MessageHolder.self))?.message.content ?? ""
        do {
            try interaction.update(message: Waved(content: "\(original) \(interaction.userMention) waved back."))
        } catch {
            host.log.error("wave back failed: \(error)")
        }
    }

    private struct MessageHolder: Decodable {
        struct Message: Decodable { let content: String }
        let message: Message
    }

    /// Autocomplete for the name option: names greeted before that start with what was typed.
    private func suggestNames(_ interaction: Interaction) {
        let typed = interaction.focusedOption?.value.lowercased() ?? ""
        let names = ((try? host.storage.get(Self.namesKey, as: [String].self)) ?? nil) ?? []
        let matches = names.filter { typed.isEmpty || $0.lowercased().hasPrefix(typed) }
        do {
            try interaction.suggest(matches.map { AutocompleteChoice(name: $0, value: $0) })
        } catch {
            host.log.error("autocomplete failed: \(error)")
        }
    }

    /// Keeps the 25 most recent distinct names (Discord shows at most 25 choices).
    private func remember(_ name: String) throws {
        var names = try host.storage.get(Self.namesKey, as: [String].self) ?? []
        names.removeAll { $0 == name }
        names.insert(name, at: 0)
        try host.storage.set(Self.namesKey, Array(names.prefix(25)))
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
