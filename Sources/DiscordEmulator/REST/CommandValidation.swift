/// Application command definitions as Discord validates them on bulk overwrite.
enum CommandValidation {
    static let maxChatInputCommands = 100
    static let maxContextMenuCommands = 15

    /// Returns the normalised command objects (without ids), or throws 50035 with `errors`
    /// keyed by command index.
    static func validate(_ body: WireJSON) throws(RESTResponse) -> [WireJSON] {
        guard let commands = body.arrayValue else {
            var errors = FormErrors()
            errors.add([], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            throw errors.response
        }
        var errors = FormErrors()
        var seen: Set<String> = []
        var counts: [Int: Int] = [:]
        for (index, command) in commands.enumerated() {
            let path = [String(index)]
            guard command.objectMembers != nil else {
                errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
                continue
            }
            let type = Int(command["type"]?.int64Value ?? 1)
            guard (1...3).contains(type) else {
                errors.add(path + ["type"], "ENUM_TYPE_COERCE", "Value \"\(type)\" is not a valid enum value.")
                continue
            }
            counts[type, default: 0] += 1
            let name = command["name"]?.stringValue
            validateName(command["name"], path: path + ["name"], chatInput: type == 1, errors: &errors)
            if let name, !seen.insert("\(type):\(name.lowercased())").inserted {
                errors.add(path + ["name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
            }
            if type == 1 {
                validateDescription(command["description"], path: path + ["description"], errors: &errors)
                validateOptions(command["options"], path: path + ["options"], depth: 0, errors: &errors)
            } else if let description = command["description"]?.stringValue, !description.isEmpty {
                errors.add(path + ["description"], "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have description")
            }
            if let permissions = command["default_member_permissions"], !permissions.isNull,
               permissions.stringValue.flatMap(UInt64.init) == nil && permissions.int64Value == nil {
                errors.add(path + ["default_member_permissions"], "PERMISSIONS_TYPE_COERCE", "Value \"\(permissions.text)\" is not a valid permission set.")
            }
        }
        if counts[1, default: 0] > maxChatInputCommands {
            errors.add([], "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of application commands reached (\(maxChatInputCommands)).")
        }
        if counts[2, default: 0] > maxContextMenuCommands || counts[3, default: 0] > maxContextMenuCommands {
            errors.add([], "APPLICATION_COMMANDS_TOO_MANY_CONTEXT_MENU", "Maximum number of context menu commands reached (\(maxContextMenuCommands)).")
        }
        guard errors.isEmpty else { throw errors.response }
        return commands
    }

    /// CHAT_INPUT names: 1–32 characters, lowercase letters, digits, `-`, `_`, `'` (any script);
    /// context-menu names: 1–32 characters of anything, spaces included.
    private static func validateName(_ value: WireJSON?, path: [String], chatInput: Bool, errors: inout FormErrors) {
        guard let value, !value.isNull else { return errors.required(path) }
        guard let name = value.stringValue else { return errors.notString(path, value) }
        let length = MessageValidation.length(name)
        guard (1...32).contains(length) else { return errors.badLength(path, 1, 32) }
        if chatInput && !isValidChatInputName(name) {
            errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        }
    }

    static func isValidChatInputName(_ name: String) -> Bool {
        name.allSatisfy { character in
            if character == "-" || character == "_" || character == "'" { return true }
            guard character.isLetter || character.isNumber else { return false }
            return character.lowercased() == String(character)
        }
    }

    private static func validateDescription(_ value: WireJSON?, path: [String], errors: inout FormErrors) {
        guard let value, !value.isNull else { return errors.required(path) }
        guard let description = value.stringValue else { return errors.notString(path, value) }
        if !(1...100).contains(MessageValidation.length(description)) { errors.badLength(path, 1, 100) }
    }

    private static func validateOptions(_ value: WireJSON?, path: [String], depth: Int, errors: inout FormErrors) {
        guard let value, !value.isNull else { return }
        guard let options = value.arrayValue else {
            return errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        }
        if options.count > 25 { errors.maxLength(path, 25) }
        var names: Set<String> = []
        var sawOptional = false
        for (index, option) in options.enumerated() {
            let optionPath = path + [String(index)]
            guard let type = option["type"]?.int64Value, (1...11).contains(type) else {
                errors.add(optionPath + ["type"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
                continue
            }
            validateName(option["name"], path: optionPath + ["name"], chatInput: true, errors: &errors)
            if let name = option["name"]?.stringValue, !names.insert(name).inserted {
                errors.add(optionPath + ["name"], "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option name \(name) is already used in these options")
            }
            validateDescription(option["description"], path: optionPath + ["description"], errors: &errors)
            let required = option["required"]?.boolValue ?? false
            if required && sawOptional {
                errors.add(path, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
            }
            if !required { sawOptional = true }
            if let choices = option["choices"], let list = choices.arrayValue, !list.isEmpty {
                if list.count > 25 { errors.maxLength(optionPath + ["choices"], 25) }
                if option["autocomplete"]?.boolValue == true {
                    errors.add(optionPath + ["autocomplete"], "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE", "Autocomplete cannot be set with choices")
                }
                for (c, choice) in list.enumerated() {
                    guard let choiceName = choice["name"]?.stringValue, (1...100).contains(MessageValidation.length(choiceName)) else {
                        errors.badLength(optionPath + ["choices", String(c), "name"], 1, 100)
                        continue
                    }
                }
            }
            if type == 1 || type == 2 {
                // Subcommand groups hold subcommands; subcommands hold plain options.
                guard depth < 2 else {
                    errors.add(optionPath, "APPLICATION_COMMAND_OPTIONS_TOO_DEEP", "Subcommands nest at most two levels")
                    continue
                }
                validateOptions(option["options"], path: optionPath + ["options"], depth: depth + 1, errors: &errors)
            }
        }
    }
}
