import BotHostCore
import Foundation
import PluginAPI
import Synchronization

/// A plugin's handler for interactions: a command (by name), the autocomplete of a command (by
/// name) or components and modal submits (by custom_id prefix).
package final class RegisteredHandler: @unchecked Sendable {
    /// The command name, or the custom_id prefix for components.
    package let key: String
    /// The command's definition (commands only; synced to Discord).
    package let definitionJSON: [UInt8]
    package let registration: Registration
    /// Strong, like a subscription's owner: an interaction being routed may outlive the plugin's removal.
    package let owner: PluginInstance
    package let fn: bothost_command_fn

    package init(key: String, definitionJSON: [UInt8] = [], registration: Registration, owner: PluginInstance, fn: @escaping bothost_command_fn) {
        self.key = key
        self.definitionJSON = definitionJSON
        self.registration = registration
        self.owner = owner
        self.fn = fn
    }
}

/// The handler table: command names, autocompletes and custom_id prefixes → the owning plugin's
/// handler; `dispatch` hands an invocation to its handler and opens its interaction session.
public final class CommandRegistry: Sendable {
    private struct State {
        var commands: [String: RegisteredHandler] = [:]
        var autocompletes: [String: RegisteredHandler] = [:]
        /// custom_id prefix → handler. No prefix is a prefix of another, so at most one matches.
        var components: [String: RegisteredHandler] = [:]
        /// Commands of plugins restarting after a crash, by name: Discord keeps them, and a use is
        /// answered "restarting", until the plugin registers them again or stays stopped.
        var parked: [String: (plugin: String, definition: [UInt8])] = [:]

        func component(for customID: String) -> RegisteredHandler? {
            components.first { customID.hasPrefix($0.key) }?.value
        }
    }
    private let state = Mutex(State())
    private let events: HostEvents
    /// Interaction tokens are valid for 15 minutes.
    package static let interactionLifetimeMs: Int64 = 15 * 60 * 1000

    package init(events: HostEvents) { self.events = events }

    /// The interactions dispatched and not yet expired, for the plugins' answers.
    package let sessions = InteractionSessions()

    /// Interactions in flight (not yet expired), for a state dump.
    package var interactionsInFlight: Int { sessions.count }

    /// The registered commands' definitions, by name (what the next issue syncs to Discord).
    public var definitions: [String: [UInt8]] {
        state.withLock { s in s.commands.mapValues(\.definitionJSON).merging(s.parked.mapValues(\.definition)) { current, _ in current } }
    }

    /// Command name → owning plugin.
    public var owners: [String: String] { state.withLock { $0.commands.mapValues { $0.owner.name } } }

    /// custom_id prefix → owning plugin.
    public var componentOwners: [String: String] { state.withLock { $0.components.mapValues { $0.owner.name } } }

    /// A command was added or removed: `LifecycleEvent.commandsChanged` (the connection syncs them to Discord).
    private func notifyChange() {
        events.announce(.commandsChanged)
    }

    package func add(_ command: RegisteredHandler) throws(HostCallError) {
        let existing: RegisteredHandler? = state.withLock { s in
            if let current = s.commands[command.key] { return current }
            s.commands[command.key] = command
            s.parked[command.key] = nil
            return nil
        }
        if let existing {
            throw HostCallError(Status.conflict, "the command /\(command.key) is already registered by plugin \(existing.owner.name)")
        }
        notifyChange()
    }

    /// Autocomplete belongs to the plugin that owns the command.
    package func addAutocomplete(_ handler: RegisteredHandler) throws(HostCallError) {
        try state.withLock { s throws(HostCallError) in
            guard let command = s.commands[handler.key] else {
                throw HostCallError(Status.notFound, "register the command /\(handler.key) before its autocomplete")
            }
            guard command.owner === handler.owner else {
                throw HostCallError(Status.conflict, "the command /\(handler.key) belongs to plugin \(command.owner.name)")
            }
            if let current = s.autocompletes[handler.key], current.registration.isActive {
                throw HostCallError(Status.conflict, "autocomplete for /\(handler.key) is already registered")
            }
            s.autocompletes[handler.key] = handler
        }
    }

    package func addComponent(_ handler: RegisteredHandler) throws(HostCallError) {
        let prefix = handler.key
        guard (1...100).contains(prefix.utf8.count) else {
            throw HostCallError(Status.invalidArgument, "a custom_id prefix is 1–100 characters (custom_ids are at most 100)")
        }
        try state.withLock { s throws(HostCallError) in
            if let clash = s.components.values.first(where: { $0.key.hasPrefix(prefix) || prefix.hasPrefix($0.key) }) {
                throw HostCallError(Status.conflict, "the custom_id prefix \"\(prefix)\" overlaps \"\(clash.key)\" owned by plugin \(clash.owner.name)")
            }
            s.components[prefix] = handler
        }
    }

    package func remove(_ handler: RegisteredHandler, kind: InteractionKind) {
        let removedCommand = state.withLock { s -> Bool in
            switch kind {
            case .command:
                guard s.commands[handler.key] === handler else { return false }
                s.commands[handler.key] = nil
                return true
            case .autocomplete:
                if s.autocompletes[handler.key] === handler { s.autocompletes[handler.key] = nil }
            case .component, .modalSubmit:
                if s.components[handler.key] === handler { s.components[handler.key] = nil }
            }
            return false
        }
        if removedCommand { notifyChange() }
    }

    /// A plugin's process died and it will be restarted: its commands stay known (to Discord and to
    /// users, who are told it is restarting) while its registrations are removed. Call before
    /// stopping it.
    package func park(plugin: String) {
        state.withLock { s in
            for (name, handler) in s.commands where handler.owner.name == plugin {
                s.parked[name] = (plugin, handler.definitionJSON)
                s.commands[name] = nil
            }
        }
    }

    /// Forgets the parked commands of a plugin that did not register them again (or stays stopped).
    package func unpark(plugin: String) {
        let removed = state.withLock { s -> Bool in
            let names = s.parked.filter { $0.value.plugin == plugin }.map(\.key)
            for name in names { s.parked[name] = nil }
            return !names.isEmpty
        }
        if removed { notifyChange() }
    }

    /// Routes an invocation to the owning plugin's handler, with the session its answers go through.
    @discardableResult
    package func dispatch(_ invocation: CommandInvocation, responder: any InteractionResponder, owners: Set<UInt64>,
                          nowMs: Int64) throws(CommandDispatchError) -> InteractionSession {
        let found: RegisteredHandler? = state.withLock { s in
            switch invocation.kind {
            case .command: s.commands[invocation.commandName]
            case .autocomplete: s.autocompletes[invocation.commandName]
            case .component, .modalSubmit: s.component(for: invocation.customID)
            }
        }
        guard let handler = found else {
            if invocation.kind == .command || invocation.kind == .autocomplete,
               let parked = state.withLock({ $0.parked[invocation.commandName] }) {
                throw .pluginRestarting(parked.plugin)
            }
            switch invocation.kind {
            case .command: throw .unknownCommand(invocation.commandName)
            case .autocomplete: throw .noAutocomplete(invocation.commandName)
            case .component, .modalSubmit: throw .unownedComponent(invocation.customID)
            }
        }
        guard handler.registration.isActive, handler.owner.acceptsCallbacks else {
            throw .pluginNotRunning(handler.owner.name)
        }
        let handle = HandleAllocator.make()
        let session = InteractionSession(handle: handle, kind: invocation.kind, interactionID: invocation.interactionID,
                                         token: invocation.token, owner: handler.owner.name, label: invocation.label,
                                         responder: responder, expiresAtMs: nowMs + Self.interactionLifetimeMs)
        // Open before the handler is queued: it may answer at once, from any thread.
        sessions.open(session, nowMs: nowMs)
        let isOwner: UInt32 = owners.contains(invocation.userID) ? 1 : 0
        handler.owner.callback(handler.registration) {
            withInteraction(handle: handle, command: Array(invocation.commandName.utf8), json: invocation.json, userID: invocation.userID,
                            guildID: invocation.guildID, channelID: invocation.channelID, permissions: invocation.memberPermissions,
                            isOwner: isOwner, kind: invocation.kind.rawValue, customID: Array(invocation.customID.utf8)) {
                handler.fn(handler.registration.userData, $0)
            }
        }
        return session
    }

    /// The session behind a handle, if it belongs to `plugin` and has not expired.
    package func session(_ handle: UInt64, plugin: String, nowMs: Int64) -> InteractionSession? {
        sessions.session(handle, plugin: plugin, nowMs: nowMs)
    }
}
