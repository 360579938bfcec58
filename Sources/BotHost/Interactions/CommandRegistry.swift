import Foundation
import PluginAPI
import Synchronization

/// A slash command a plugin registered.
final class RegisteredCommand: @unchecked Sendable {
    let name: String
    let definitionJSON: [UInt8]
    let registration: Registration
    unowned let owner: PluginInstance
    let fn: bothost_command_fn

    init(name: String, definitionJSON: [UInt8], registration: Registration, owner: PluginInstance, fn: @escaping bothost_command_fn) {
        self.name = name
        self.definitionJSON = definitionJSON
        self.registration = registration
        self.owner = owner
        self.fn = fn
    }
}

/// An interaction in flight: who owns it, where responses go, and what has been answered.
final class InteractionSession: Sendable {
    enum Stage: Sendable {
        case awaitingResponse
        /// The plugin was too slow and the host deferred (ephemerally) to keep the token alive.
        case deferredByHost
        case answered
    }
    let handle: UInt64
    let interactionID: UInt64
    let token: String
    let owner: String
    let responder: any InteractionResponder
    let stage = Mutex(Stage.awaitingResponse)
    let expiresAtMs: Int64

    init(handle: UInt64, interactionID: UInt64, token: String, owner: String, responder: any InteractionResponder, expiresAtMs: Int64) {
        self.handle = handle
        self.interactionID = interactionID
        self.token = token
        self.owner = owner
        self.responder = responder
        self.expiresAtMs = expiresAtMs
    }
}

/// Who is invoking a command, as the host's router (Discord, console or tests) knows it.
public struct CommandInvocation: Sendable {
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
                guildID: UInt64 = 0, channelID: UInt64 = 0, memberPermissions: UInt64 = 0) {
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
    case pluginNotRunning(String)

    public var description: String {
        switch self {
        case .unknownCommand(let name): "no plugin registered the command /\(name)"
        case .pluginNotRunning(let plugin): "the plugin \(plugin) that owns this command is not running"
        }
    }
}

/// Command names → owning plugin, and the interactions in flight.
public final class CommandRegistry: Sendable {
    private struct State {
        var commands: [String: RegisteredCommand] = [:]
        var sessions: [UInt64: InteractionSession] = [:]
    }
    private let state = Mutex(State())
    private let observers = Mutex<[@Sendable () -> Void]>([])
    /// Interaction tokens are valid for 15 minutes.
    static let interactionLifetimeMs: Int64 = 15 * 60 * 1000

    init() {}

    /// The registered commands' definitions, by name (what the next issue syncs to Discord).
    public var definitions: [String: [UInt8]] { state.withLock { $0.commands.mapValues(\.definitionJSON) } }

    /// Command name → owning plugin.
    public var owners: [String: String] { state.withLock { $0.commands.mapValues { $0.owner.name } } }

    /// Calls `observer` whenever a command is added or removed (e.g. to sync them to Discord).
    public func onChange(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }

    private func notifyChange() {
        for observer in observers.withLock({ $0 }) { observer() }
    }

    func add(_ command: RegisteredCommand) throws(HostCallError) {
        let existing: RegisteredCommand? = state.withLock { s in
            if let current = s.commands[command.name] { return current }
            s.commands[command.name] = command
            return nil
        }
        if let existing {
            throw HostCallError(Status.conflict, "the command /\(command.name) is already registered by plugin \(existing.owner.name)")
        }
        notifyChange()
    }

    func remove(_ command: RegisteredCommand) {
        let removed = state.withLock { s -> Bool in
            guard s.commands[command.name] === command else { return false }
            s.commands[command.name] = nil
            return true
        }
        if removed { notifyChange() }
    }

    /// Routes an invocation to the owning plugin's handler. Returns the interaction handle.
    @discardableResult
    func dispatch(_ invocation: CommandInvocation, responder: any InteractionResponder, owners: Set<UInt64>,
                  nowMs: Int64) throws(CommandDispatchError) -> UInt64 {
        guard let command = state.withLock({ $0.commands[invocation.commandName] }) else {
            throw .unknownCommand(invocation.commandName)
        }
        guard command.registration.isActive, command.owner.acceptsCallbacks else {
            throw .pluginNotRunning(command.owner.name)
        }
        let handle = HandleAllocator.make()
        let session = InteractionSession(handle: handle, interactionID: invocation.interactionID, token: invocation.token,
                                         owner: command.owner.name, responder: responder,
                                         expiresAtMs: nowMs + Self.interactionLifetimeMs)
        state.withLock { s in
            s.sessions = s.sessions.filter { $0.value.expiresAtMs > nowMs }
            s.sessions[handle] = session
        }
        let isOwner: UInt32 = owners.contains(invocation.userID) ? 1 : 0
        command.owner.callback(command.registration) {
            withCStr(invocation.commandName) { name in
                withCStr(invocation.json) { json in
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
                    command.fn(command.registration.userData, &interaction)
                }
            }
        }
        return handle
    }

    /// If the plugin has not answered yet, marks the interaction as deferred by the host and returns
    /// its session so the caller can send the deferral; nil when the plugin was in time.
    func deferIfUnanswered(_ handle: UInt64) -> InteractionSession? {
        guard let session = state.withLock({ $0.sessions[handle] }) else { return nil }
        let deferred = session.stage.withLock { stage -> Bool in
            guard case .awaitingResponse = stage else { return false }
            stage = .deferredByHost
            return true
        }
        return deferred ? session : nil
    }

    /// Whether the interaction has been answered by its plugin (not merely deferred by the host).
    func isAnswered(_ handle: UInt64) -> Bool {
        guard let session = state.withLock({ $0.sessions[handle] }) else { return true }
        return session.stage.withLock { if case .answered = $0 { true } else { false } }
    }

    /// The session behind a handle, if it belongs to `plugin` and has not expired.
    func session(_ handle: UInt64, plugin: String, nowMs: Int64) -> InteractionSession? {
        state.withLock { s in
            guard let session = s.sessions[handle], session.owner == plugin, session.expiresAtMs > nowMs else { return nil }
            return session
        }
    }
}
