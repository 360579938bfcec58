import BotHostCore
import DiscordClient
import PluginAPI

extension HostAPI {
    package static func installCommands(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.command_register = apiCommandRegister
        table.pointee.interaction_reply = { plugin, interaction, json, flags, done, userData, free in
            respond(plugin, interaction, .reply, json, flags, done, userData, free)
        }
        table.pointee.interaction_defer = { plugin, interaction, flags, done, userData, free in
            respond(plugin, interaction, .deferred, bothost_str(ptr: nil, len: 0), flags, done, userData, free)
        }
        table.pointee.interaction_followup = { plugin, interaction, json, flags, done, userData, free in
            respond(plugin, interaction, .followUp, json, flags, done, userData, free)
        }
        table.pointee.interaction_edit = { plugin, interaction, json, done, userData, free in
            respond(plugin, interaction, .editOriginal, json, 0, done, userData, free)
        }
        table.pointee.component_register = { plugin, prefix, fn, userData, free, out in
            registerHandler(plugin, .component, prefix, fn, userData, free, out)
        }
        table.pointee.autocomplete_register = { plugin, name, fn, userData, free, out in
            registerHandler(plugin, .autocomplete, name, fn, userData, free, out)
        }
        table.pointee.interaction_respond = apiInteractionRespond
    }
}

/// Checks a command definition the way Discord would, so mistakes surface at registration, and
/// returns it in canonical form (keys sorted, numbers normalised): what is synced to Discord and
/// fingerprinted is then the same bytes in every process, whatever order a plugin's encoder
/// wrote the keys in.
package func validateCommandDefinition(_ bytes: [UInt8]) throws(HostCallError) -> (name: String, canonical: [UInt8]) {
    let document: JSONValue
    do { document = try JSONValue.parse(bytes) } catch {
        throw HostCallError(Status.invalidArgument, "the command definition is not valid JSON: \(error)")
    }
    guard let object = document.objectValue else {
        throw HostCallError(Status.invalidArgument, "the command definition is not a JSON object")
    }
    guard let name = object["name"]?.stringValue else {
        throw HostCallError(Status.invalidArgument, "the command definition has no \"name\" string")
    }
    do throws(CommandDefinitionRules.Violation) {
        try CommandDefinitionRules.check(object)
    } catch {
        throw HostCallError(Status.invalidArgument, "command /\(ControlCharacters.escaped(name)) is not a definition Discord accepts: \(ControlCharacters.escaped(error.description))")
    }
    return (name, Array(document.canonicalText.utf8))
}

private func apiCommandRegister(_ plugin: OpaquePointer?, _ definition: bothost_str, _ fn: bothost_command_fn?,
                                _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                                _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .command, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "command_register needs a handler") }
        let bytes = definition.bytes
        let (name, canonical) = try validateCommandDefinition(bytes)
        // A command named after a name another plugin owns is that plugin's, registered yet or not.
        if let owner = instance.runtime.names.owner(ofCommand: name), owner != instance.name {
            throw HostCallError(Status.denied, "the command /\(ControlCharacters.escaped(name)) belongs to plugin \(owner), which owns the name \"\(name)\"")
        }
        let registry = instance.runtime.commands
        let command = RegisteredHandler(key: name, definitionJSON: canonical, registration: registration, owner: instance, fn: fn)
        try registry.add(command)
        registration.teardown = { _ in registry.remove(command, kind: .command) }
    }
}

/// component_register (key: custom_id prefix) and autocomplete_register (key: command name).
private func registerHandler(_ plugin: OpaquePointer?, _ kind: InteractionKind, _ key: bothost_str, _ fn: bothost_command_fn?,
                             _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                             _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .command, userData, free, out) { instance, registration throws(HostCallError) in
        let what = kind == .component ? "component_register" : "autocomplete_register"
        guard let fn else { throw HostCallError(Status.invalidArgument, "\(what) needs a handler") }
        let text = try key.string(kind == .component ? "custom_id_prefix" : "command_name")
        let registry = instance.runtime.commands
        let handler = RegisteredHandler(key: text, registration: registration, owner: instance, fn: fn)
        if kind == .component { try registry.addComponent(handler) } else { try registry.addAutocomplete(handler) }
        registration.teardown = { _ in registry.remove(handler, kind: kind) }
    }
}

private func apiInteractionRespond(_ plugin: OpaquePointer?, _ interaction: bothost_handle, _ type: bothost_response_type,
                                   _ json: bothost_str, _ done: bothost_done_fn?, _ userData: UnsafeMutableRawPointer?,
                                   _ free: bothost_free_fn?) -> bothost_status {
    guard let kind = InteractionResponse.Kind(callbackType: type) else {
        // Still a registration, so user_data is freed as the rules promise.
        return hostRegister(plugin, .completion, userData, free, nil) { _, _ throws(HostCallError) in
            throw HostCallError(Status.invalidArgument, "response type \(type) is not one of BOTHOST_RESPOND_* (4–9)")
        }
    }
    // Messages and deferrals carry their own flags ({"flags": 64}), read with the body.
    return respond(plugin, interaction, kind, json, nil, done, userData, free)
}

/// `flags` nil: the body's own `flags` member (interaction_respond); the host needs the ephemeral
/// bit to route a late answer.
private func respond(_ plugin: OpaquePointer?, _ interaction: bothost_handle, _ kind: InteractionResponse.Kind,
                     _ json: bothost_str, _ flags: UInt32?, _ done: bothost_done_fn?,
                     _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?) -> bothost_status {
    // A completion is a registration (so it is freed exactly once, also if the plugin stops first).
    hostRegister(plugin, .completion, userData, free, nil) { instance, registration throws(HostCallError) in
        let runtime = instance.runtime
        guard let session = runtime.commands.session(interaction, plugin: instance.name, nowMs: runtime.clock.nowMs()) else {
            throw HostCallError(Status.notFound, "interaction \(interaction) is unknown to this plugin or has expired (15 minutes)")
        }
        let body = json.bytes
        let object = body.isEmpty ? nil : (try? JSONValue.parse(body))?.objectValue
        if kind != .deferred && kind != .deferredUpdate, object == nil {
            throw HostCallError(Status.invalidArgument, "the response data must be a JSON object like {\"content\": \"…\"}")
        }
        let flags = flags ?? (kind == .autocompleteResult || kind == .modal ? 0 : UInt32(truncatingIfNeeded: object?["flags"]?.int64Value ?? 0))
        // The kind actually sent: an answer that comes after the host deferred becomes a late
        // reply, follow-up or edit, and a defer then is already done.
        let effectiveKind: InteractionResponse.Kind?
        do throws(InteractionRefusal) {
            effectiveKind = try session.answer(kind)
        } catch {
            throw HostCallError(error.status, error.description)
        }
        let handle = registration.handle
        guard let effectiveKind else {
            // Already deferred by the host: nothing to send, the completion still reports success.
            if let taken = instance.take(handle) {
                instance.complete(taken, deliver: done != nil) { done?(taken.userData, Status.ok, bothost_bytes(ptr: nil, len: 0)) }
            }
            return
        }
        let response = InteractionResponse(kind: effectiveKind, interactionID: session.interactionID, token: session.token,
                                           messageJSON: body, flags: flags & UInt32(BOTHOST_REPLY_EPHEMERAL))
        Task {
            // After the host's own acknowledgement, if any: a late reply edits it.
            await session.afterHostAcknowledgement()
            let result = await session.responder.respond(response)
            guard let taken = instance.take(handle) else { return }
            instance.complete(taken, deliver: done != nil) {
                switch result {
                case .success(let bytes): withCBytes(bytes) { done?(taken.userData, Status.ok, $0) }
                case .failure(let error): withCBytes(Array(error.message.utf8)) { done?(taken.userData, error.status, $0) }
                }
            }
        }
    }
}

extension InteractionRefusal {
    /// The ABI status a refusal is reported with.
    var status: bothost_status {
        switch self {
        case .outOfTurn: Status.conflict
        case .doesNotFit: Status.invalidArgument
        }
    }
}
