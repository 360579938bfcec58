import Foundation

/// One invocation of a plugin's slash command, copied out of the host's `bothost_interaction`.
///
/// The value can be kept: its handle stays valid for answering until Discord's token expires
/// (15 minutes) or the plugin stops.
public struct Interaction: Sendable {
    /// The host's interaction handle.
    public let handle: UInt64
    /// The top-level command name.
    public let command: String
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
        command = String(raw.command)
        json = String(raw.json)
        userID = raw.user_id
        guildID = raw.guild_id == 0 ? nil : raw.guild_id
        channelID = raw.channel_id
        memberPermissions = raw.member_permissions
        isOwner = raw.is_owner != 0
        self.host = host
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
