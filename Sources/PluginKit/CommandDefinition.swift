/// A slash command as Discord defines it (a chat-input application command), for `commands.register`.
public struct CommandDefinition: Codable, Sendable {
    public var name: String
    public var description: String
    public var options: [CommandOption]?

    public init(name: String, description: String, options: [CommandOption] = []) {
        self.name = name
        self.description = description
        self.options = options.isEmpty ? nil : options
    }
}

/// One option (argument, subcommand or subcommand group) of a command.
public struct CommandOption: Codable, Sendable {
    /// Discord's application command option types.
    public enum Kind: Int, Codable, Sendable {
        case subcommand = 1, subcommandGroup, string, integer, boolean, user, channel, role,
             mentionable, number, attachment
    }

    public var type: Kind
    public var name: String
    public var description: String
    public var required: Bool?
    /// Options of a subcommand, or subcommands of a group.
    public var options: [CommandOption]?
    /// String, integer and number options: ask the plugin for choices while the user types
    /// (answer with `Commands.onAutocomplete`).
    public var autocomplete: Bool?

    public init(_ type: Kind, _ name: String, _ description: String, required: Bool = false,
                options: [CommandOption] = []) {
        self.type = type
        self.name = name
        self.description = description
        self.required = required ? true : nil
        self.options = options.isEmpty ? nil : options
    }

    public static func string(_ name: String, _ description: String, required: Bool = false,
                              autocomplete: Bool = false) -> CommandOption {
        var option = CommandOption(.string, name, description, required: required)
        option.autocomplete = autocomplete ? true : nil
        return option
    }

    public static func integer(_ name: String, _ description: String, required: Bool = false) -> CommandOption {
        CommandOption(.integer, name, description, required: required)
    }

    public static func boolean(_ name: String, _ description: String, required: Bool = false) -> CommandOption {
        CommandOption(.boolean, name, description, required: required)
    }

    public static func user(_ name: String, _ description: String, required: Bool = false) -> CommandOption {
        CommandOption(.user, name, description, required: required)
    }
}
