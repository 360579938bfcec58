import BotHostCore
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

    /// How the log names it: `/name`, or `component "custom_id"`.
    package var label: String { kind.isComponent ? "component \"\(customID)\"" : "/\(commandName)" }
}

public enum CommandDispatchError: Error, CustomStringConvertible, Equatable {
    case unknownCommand(String)
    case noAutocomplete(String)
    case unownedComponent(String)
    case pluginNotRunning(String)
    /// The owning plugin's process died and is being restarted.
    case pluginRestarting(String)

    public var description: String {
        switch self {
        case .unknownCommand(let name): "no plugin registered the command /\(name)"
        case .noAutocomplete(let name): "no plugin handles autocomplete for /\(name)"
        case .unownedComponent(let id): "no plugin owns the custom_id \"\(id)\""
        case .pluginNotRunning(let plugin): "the plugin \(plugin) that owns this command is not running"
        case .pluginRestarting(let plugin): "the plugin \(plugin) that owns this command is restarting after a crash"
        }
    }
}
