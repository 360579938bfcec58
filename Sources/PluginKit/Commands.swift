/// Slash commands. Command names are unique across plugins; the host syncs them with Discord.
///
/// Answer every interaction within 3 seconds with `reply` or `defer` (then `edit`/`followUp`).
public struct Commands: Sendable {
    let host: PluginHost

    /// Registers a command; `handler` runs on the plugin's executor for every invocation.
    @discardableResult
    public func register(_ definition: CommandDefinition, _ handler: @escaping (Interaction) -> Void) throws -> Registration {
        try register(json: String(decoding: JSON.encode(definition), as: UTF8.self), handler)
    }

    /// Registers a command from Discord's application command JSON.
    @discardableResult
    public func register(json definition: String, _ handler: @escaping (Interaction) -> Void) throws -> Registration {
        let commandRegister = try host.table.require(\.command_register, "command_register")
        return try host.register(HandlerBox(host: host, handler: handler), "register command") { userData, handle in
            withStr(definition) { commandRegister(host.plugin, $0, commandInvoked, userData, releaseCallbackBox, handle) }
        }
    }

    /// Routes the buttons, select menus and modal submits whose custom_id starts with `prefix` to
    /// `handler` (answer with `update`, `deferUpdate`, `reply` or `showModal`). Put the prefix first
    /// in every custom_id the plugin creates; prefixes may not overlap another plugin's.
    @discardableResult
    public func onComponent(prefix: String, _ handler: @escaping (Interaction) -> Void) throws -> Registration {
        let componentRegister = try host.table.require(\.component_register, "component_register")
        return try host.register(HandlerBox(host: host, handler: handler), "register components \(prefix)") { userData, handle in
            withStr(prefix) { componentRegister(host.plugin, $0, commandInvoked, userData, releaseCallbackBox, handle) }
        }
    }

    /// Answers autocomplete for the plugin's own command `command` (register the command first):
    /// read `focusedOption` and answer with `suggest`.
    @discardableResult
    public func onAutocomplete(command: String, _ handler: @escaping (Interaction) -> Void) throws -> Registration {
        let autocompleteRegister = try host.table.require(\.autocomplete_register, "autocomplete_register")
        return try host.register(HandlerBox(host: host, handler: handler), "register autocomplete /\(command)") { userData, handle in
            withStr(command) { autocompleteRegister(host.plugin, $0, commandInvoked, userData, releaseCallbackBox, handle) }
        }
    }

    /// Registers a command with an async handler, run isolated to the plugin actor in a Task per
    /// invocation. If it throws, the error is logged and, when possible, the user gets an ephemeral
    /// "failed" message.
    @discardableResult
    public func register(_ definition: CommandDefinition,
                         _ handler: nonisolated(nonsending) @escaping (Interaction) async throws -> Void) throws -> Registration {
        let host = self.host
        let handler = ActorBound(handler)
        return try register(definition) { (interaction: Interaction) in
            host.spawn { _ in
                do {
                    try await handler.value(interaction)
                } catch {
                    host.log.error("\(interaction.subject) failed: \(describe(error))")
                    // Fails harmlessly (CONFLICT) if the handler already answered.
                    _ = try? await interaction.reply("Sorry, that did not work.", ephemeral: true)
                }
            }
        }
    }
}

private func commandInvoked(_ userData: UnsafeMutableRawPointer?, _ raw: UnsafePointer<bothost_interaction>?) {
    guard let box = HandlerBox<(Interaction) -> Void>.from(userData), let raw else { return }
    let interaction = Interaction(copying: raw, host: box.host)
    box.host.enter { box.handler(interaction) }
}
