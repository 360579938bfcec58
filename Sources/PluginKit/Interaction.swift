import Foundation

/// What happened: Discord's interaction types a plugin can be routed.
public enum InteractionKind: UInt32, Sendable {
    /// A slash, user or message command.
    case command = 2
    /// A button or select menu was used (routed by custom_id prefix).
    case component = 3
    /// The user is typing an option of a command with autocomplete.
    case autocomplete = 4
    /// A modal was submitted (routed by custom_id prefix).
    case modalSubmit = 5
}

/// One choice offered to a user typing an autocomplete option.
public struct AutocompleteChoice: Encodable, Sendable {
    public let name: String
    public let value: String
    public init(name: String, value: String) {
        self.name = String(name.prefix(100))
        self.value = String(value.prefix(100))
    }
}

struct AutocompleteChoices: Encodable { let choices: [AutocompleteChoice] }

/// One interaction routed to the plugin — an invocation of its slash command, a use of one of its
/// components, an autocomplete request — copied out of the host's `bothost_interaction`.
///
/// The value can be kept: its handle stays valid for answering until Discord's token expires
/// (15 minutes) or the plugin stops.
public struct Interaction: Sendable {
    /// The host's interaction handle.
    public let handle: UInt64
    public let kind: InteractionKind
    /// The top-level command name (empty for components).
    public let command: String
    /// Components and modal submits: the custom_id (empty otherwise).
    public let customID: String
    /// The whole interaction object as Discord sent it.
    public let json: String
    /// Who invoked it (snowflake).
    public let userID: UInt64
    /// The guild, or nil in DMs.
    public let guildID: UInt64?
    public let channelID: UInt64
    /// The invoker's permission bits in the channel (0 in DMs).
    public let memberPermissions: UInt64
    /// True when the invoker is one of the host's configured owners.
    public let isOwner: Bool
    let host: PluginHost

    init(copying pointer: UnsafePointer<bothost_interaction>, host: PluginHost) {
        // Rule 3: copy min(struct_size, sizeof) into zeroed memory; an older host's missing fields read 0.
        var raw = bothost_interaction()
        let count = min(Int(pointer.pointee.struct_size), MemoryLayout<bothost_interaction>.size)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count)) }
        handle = raw.interaction
        kind = InteractionKind(rawValue: raw.kind) ?? .command  // a minor-1 host sends commands only
        command = String(raw.command)
        customID = String(raw.custom_id)
        json = String(raw.json)
        userID = raw.user_id
        guildID = raw.guild_id == 0 ? nil : raw.guild_id
        channelID = raw.channel_id
        memberPermissions = raw.member_permissions
        isOwner = raw.is_owner != 0
        self.host = host
    }

    /// What the interaction is about, for messages: "/command" or "component custom_id".
    var subject: String { kind == .component || kind == .modalSubmit ? "component \(customID)" : "/\(command)" }

    /// Autocomplete: the option being typed and what has been typed so far.
    public var focusedOption: (name: String, value: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any] else { return nil }
        func search(_ options: [[String: Any]]) -> (String, String)? {
            for option in options {
                if option["focused"] as? Bool == true, let name = option["name"] as? String {
                    return (name, option["value"].map { "\($0)" } ?? "")
                }
                if let nested = option["options"] as? [[String: Any]], let found = search(nested) { return found }
            }
            return nil
        }
        return search(data["options"] as? [[String: Any]] ?? []).map { (name: $0.0, value: $0.1) }
    }

    /// `<@userID>`: mentions the invoker in a message.
    public var userMention: String { "<@\(userID)>" }

    /// Decodes the whole interaction JSON as `T`.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decode(T.self, from: Array(json.utf8), what: "interaction")
    }

    /// The value of the option called `name` decoded as `T` (String, Int, Bool, Double; user, role
    /// and channel options are snowflake strings), searching into subcommands. Nil when absent or
    /// of another type.
    public func option<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any],
              let value = Self.find(name, in: data["options"] as? [[String: Any]] ?? []),
              let encoded = try? JSONSerialization.data(withJSONObject: value, options: .fragmentsAllowed)
        else { return nil }
        return try? JSONDecoder().decode(T.self, from: encoded)
    }

    /// The name of the subcommand invoked (for commands with subcommands), if any.
    public var subcommand: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any],
              let options = data["options"] as? [[String: Any]],
              let first = options.first, let type = first["type"] as? Int,
              type == CommandOption.Kind.subcommand.rawValue || type == CommandOption.Kind.subcommandGroup.rawValue
        else { return nil }
        return first["name"] as? String
    }

    private static func find(_ name: String, in options: [[String: Any]]) -> Any? {
        for option in options {
            if option["name"] as? String == name, let value = option["value"] { return value }
            if let nested = option["options"] as? [[String: Any]], let value = find(name, in: nested) { return value }
        }
        return nil
    }
}
