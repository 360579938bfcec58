import BotHostCore
import Foundation
import PluginAPI
import Synchronization

/// What a plugin's interaction handler answers: Discord's interaction types it can be routed.
public enum InteractionKind: UInt32, Sendable {
    case command = 2
    case component = 3
    case autocomplete = 4
    case modalSubmit = 5

    /// Components and modal submits are routed by custom_id prefix.
    package var isComponent: Bool { self == .component || self == .modalSubmit }
}

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

/// An interaction in flight: who owns it, where responses go, and what has been answered.
package final class InteractionSession: Sendable {
    package enum Stage: Sendable {
        case awaitingResponse
        /// The plugin was too slow and the host deferred (ephemerally) to keep the token alive.
        case deferredByHost
        case answered
    }
    package let handle: UInt64
    package let kind: InteractionKind
    package let interactionID: UInt64
    package let token: String
    package let owner: String
    package let responder: any InteractionResponder
    package let stage = Mutex(Stage.awaitingResponse)
    package let expiresAtMs: Int64

    package init(handle: UInt64, kind: InteractionKind, interactionID: UInt64, token: String, owner: String,
         responder: any InteractionResponder, expiresAtMs: Int64) {
        self.handle = handle
        self.kind = kind
        self.interactionID = interactionID
        self.token = token
        self.owner = owner
        self.responder = responder
        self.expiresAtMs = expiresAtMs
    }
}

/// Who is invoking a command (or using a component, or typing an option), as the host's router
/// (Discord, console or tests) knows it.
public struct CommandInvocation: Sendable {
    public var kind: InteractionKind
    /// Components and modal submits: the control's custom_id (empty otherwise).
    public var customID: String
    public var interactionID: UInt64
    public var token: String
    /// The whole interaction object as JSON (Discord's shape).
    public var json: [UInt8]
    public var commandName: String
    public var userID: UInt64
    public var guildID: UInt64
    public var channelID: UInt64
    public var memberPermissions: UInt64

    public init(interactionID: UInt64, token: String, json: [UInt8], commandName: String, userID: UInt64,
                guildID: UInt64 = 0, channelID: UInt64 = 0, memberPermissions: UInt64 = 0,
                kind: InteractionKind = .command, customID: String = "") {
        self.kind = kind
        self.customID = customID
        self.interactionID = interactionID
        self.token = token
        self.json = json
        self.commandName = commandName
        self.userID = userID
        self.guildID = guildID
        self.channelID = channelID
        self.memberPermissions = memberPermissions
    }
}

public enum CommandDispatchError: Error, CustomStringConvertible, Equatable {
    case unknownCommand(String)
    case noAutocomplete(String)
    case unownedComponent(String)
    case pluginNotRunning(String)

    public var description: String {
        switch self {
        case .unknownCommand(let name): "no plugin registered the command /\(name)"
        case .noAutocomplete(let name): "no plugin handles autocomplete for /\(name)"
        case .unownedComponent(let id): "no plugin owns the custom_id \"\(id)\""
        case .pluginNotRunning(let plugin): "the plugin \(plugin) that owns this command is not running"
        }
    }
}

/// Command names, autocompletes and custom_id prefixes → owning plugin, and the interactions in
/// flight.
public final class CommandRegistry: Sendable {
    private struct State {
        var commands: [String: RegisteredHandler] = [:]
        var autocompletes: [String: RegisteredHandler] = [:]
        /// custom_id prefix → handler. No prefix is a prefix of another, so at most one matches.
        var components: [String: RegisteredHandler] = [:]
        var sessions: [UInt64: InteractionSession] = [:]

        func component(for customID: String) -> RegisteredHandler? {
            components.first { customID.hasPrefix($0.key) }?.value
        }
    }
    private let state = Mutex(State())
    private let events: HostEvents
    /// Interaction tokens are valid for 15 minutes.
    package static let interactionLifetimeMs: Int64 = 15 * 60 * 1000

    package init(events: HostEvents) { self.events = events }

    /// Interactions in flight (not yet expired), for a state dump.
    package var interactionsInFlight: Int { state.withLock { $0.sessions.count } }

    /// The registered commands' definitions, by name (what the next issue syncs to Discord).
    public var definitions: [String: [UInt8]] { state.withLock { $0.commands.mapValues(\.definitionJSON) } }

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

    /// Routes an invocation to the owning plugin's handler. Returns the interaction handle.
    @discardableResult
    package func dispatch(_ invocation: CommandInvocation, responder: any InteractionResponder, owners: Set<UInt64>,
                  nowMs: Int64) throws(CommandDispatchError) -> UInt64 {
        let found: RegisteredHandler? = state.withLock { s in
            switch invocation.kind {
            case .command: s.commands[invocation.commandName]
            case .autocomplete: s.autocompletes[invocation.commandName]
            case .component, .modalSubmit: s.component(for: invocation.customID)
            }
        }
        guard let handler = found else {
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
                                         token: invocation.token, owner: handler.owner.name, responder: responder,
                                         expiresAtMs: nowMs + Self.interactionLifetimeMs)
        state.withLock { s in
            s.sessions = s.sessions.filter { $0.value.expiresAtMs > nowMs }
            s.sessions[handle] = session
        }
        let isOwner: UInt32 = owners.contains(invocation.userID) ? 1 : 0
        handler.owner.callback(handler.registration) {
            withCStr(invocation.commandName) { name in
                withCStr(invocation.json) { json in
                    withCStr(invocation.customID) { customID in
                        var interaction = bothost_interaction()
                        interaction.struct_size = UInt32(MemoryLayout<bothost_interaction>.size)
                        interaction.interaction = handle
                        interaction.command = name
                        interaction.json = json
                        interaction.user_id = invocation.userID
                        interaction.guild_id = invocation.guildID
                        interaction.channel_id = invocation.channelID
                        interaction.member_permissions = invocation.memberPermissions
                        interaction.is_owner = isOwner
                        interaction.kind = invocation.kind.rawValue
                        interaction.custom_id = customID
                        handler.fn(handler.registration.userData, &interaction)
                    }
                }
            }
        }
        return handle
    }

    /// If the plugin has not answered yet, marks the interaction as deferred by the host and returns
    /// its session so the caller can send the deferral; nil when the plugin was in time.
    package func deferIfUnanswered(_ handle: UInt64) -> InteractionSession? {
        guard let session = state.withLock({ $0.sessions[handle] }) else { return nil }
        let deferred = session.stage.withLock { stage -> Bool in
            guard case .awaitingResponse = stage else { return false }
            stage = .deferredByHost
            return true
        }
        return deferred ? session : nil
    }

    /// Records that the host gave the final answer itself (an empty autocomplete): the plugin's
    /// late answer is then refused as a conflict.
    package func markAnswered(_ handle: UInt64) {
        guard let session = state.withLock({ $0.sessions[handle] }) else { return }
        session.stage.withLock { $0 = .answered }
    }

    /// Whether the interaction has been answered by its plugin (not merely deferred by the host).
    package func isAnswered(_ handle: UInt64) -> Bool {
        guard let session = state.withLock({ $0.sessions[handle] }) else { return true }
        return session.stage.withLock { if case .answered = $0 { true } else { false } }
    }

    /// The session behind a handle, if it belongs to `plugin` and has not expired.
    package func session(_ handle: UInt64, plugin: String, nowMs: Int64) -> InteractionSession? {
        state.withLock { s in
            guard let session = s.sessions[handle], session.owner == plugin, session.expiresAtMs > nowMs else { return nil }
            return session
        }
    }
}
