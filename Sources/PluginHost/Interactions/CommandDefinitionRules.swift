import BotHostCore
import Foundation

/// Discord's rules for an application command definition, checked when a plugin registers it: a
/// definition Discord would refuse is refused there, with the problem named, instead of failing
/// the host's next bulk overwrite for every plugin's commands. (Limits from Discord's application
/// command documentation.)
package enum CommandDefinitionRules {
    package struct Violation: Error, CustomStringConvertible {
        package let description: String
    }

    package static let maxOptions = 25
    package static let maxChoices = 25

    /// Where an options array sits: a command's own options may be subcommand groups, subcommands
    /// or plain options; a group holds only subcommands; a subcommand only plain options.
    private enum Level { case command, group, subcommand }
    /// Name, description and every option's and choice's name, description and value together.
    package static let maxTotalCharacters = 4000

    /// Checks a parsed definition (duplicate keys were already refused by the parser).
    package static func check(_ command: JSONObject) throws(Violation) {
        let type = try integer(command["type"], "type") ?? 1
        guard (1...4).contains(type) else { throw Violation(description: "\"type\" \(type) is not a command type (1 chat input, 2 user, 3 message, 4 entry point)") }
        let name = try string(command["name"], "name", required: true) ?? ""
        try checkName(name, "name", chatInput: type == 1)
        var total = name.count
        if type == 1 {
            let description = try string(command["description"], "description", required: true) ?? ""
            try checkLength(description, "description", 1...100)
            total += description.count
            total += try checkOptions(command["options"], path: "options", level: .command)
        } else {
            if let description = try string(command["description"], "description", required: false), !description.isEmpty {
                throw Violation(description: "a context-menu command (type \(type)) must have an empty \"description\"")
            }
            if command["options"].map({ !isNull($0) }) == true {
                throw Violation(description: "a context-menu command (type \(type)) cannot have \"options\"")
            }
        }
        if let permissions = command["default_member_permissions"], !isNull(permissions) {
            guard let text = permissions.stringValue, UInt64(text) != nil else {
                throw Violation(description: "\"default_member_permissions\" must be a permission bit set as a string of digits, e.g. \"8\"")
            }
        }
        for key in ["dm_permission", "nsfw"] {
            if let value = command[key], !isNull(value), value.boolValue == nil {
                throw Violation(description: "\"\(key)\" must be true or false")
            }
        }
        guard total <= maxTotalCharacters else {
            throw Violation(description: "the command's names, descriptions and choices come to \(total) characters; Discord allows \(maxTotalCharacters)")
        }
    }

    /// Checks an options array; returns the characters it adds to the command's total.
    private static func checkOptions(_ value: JSONValue?, path: String, level: Level) throws(Violation) -> Int {
        guard let value, !isNull(value) else { return 0 }
        guard let options = value.arrayValue else { throw Violation(description: "\"\(path)\" must be an array") }
        guard options.count <= maxOptions else { throw Violation(description: "\"\(path)\" has \(options.count) options; Discord allows \(maxOptions)") }
        var names = Set<String>()
        var total = 0
        var sawOptional = false
        let kinds = try options.enumerated().map { (index, option) throws(Violation) -> Int in
            let here = "\(path)[\(index)]"
            guard let object = option.objectValue else { throw Violation(description: "\"\(here)\" must be an object") }
            let type = try integer(object["type"], here + ".type") ?? -1
            guard (1...11).contains(type) else { throw Violation(description: "\"\(here).type\" must be an option type 1–11") }
            let name = try string(object["name"], here + ".name", required: true) ?? ""
            try checkName(name, here + ".name", chatInput: true)
            guard names.insert(name).inserted else { throw Violation(description: "\"\(here).name\" \"\(name)\" is used twice in \(path)") }
            let description = try string(object["description"], here + ".description", required: true) ?? ""
            try checkLength(description, here + ".description", 1...100)
            total += name.count + description.count
            let isSubcommand = type == 1 || type == 2
            switch (level, type) {
            case (.group, 2), (.subcommand, 1), (.subcommand, 2):
                throw Violation(description: "\"\(here)\" nests subcommands deeper than Discord allows (a group holds subcommands, a subcommand plain options)")
            case (.group, let other) where other != 1:
                throw Violation(description: "\"\(here)\": a subcommand group holds only subcommands")
            default: break
            }
            if isSubcommand {
                total += try checkOptions(object["options"], path: here + ".options", level: type == 2 ? .group : .subcommand)
            } else {
                let required = object["required"].flatMap { isNull($0) ? nil : $0 }
                if let required, required.boolValue == nil { throw Violation(description: "\"\(here).required\" must be true or false") }
                if required?.boolValue == true {
                    if sawOptional { throw Violation(description: "\"\(here)\" is required but follows an optional option; Discord wants required options first") }
                } else {
                    sawOptional = true
                }
                total += try checkChoices(object["choices"], path: here + ".choices", optionType: type)
                if object["choices"].map({ !isNull($0) }) == true, object["autocomplete"]?.boolValue == true {
                    throw Violation(description: "\"\(here)\" cannot have both \"choices\" and \"autocomplete\"")
                }
                for key in ["min_length", "max_length"] {
                    if let length = try integer(object[key], here + "." + key), !(0...6000).contains(length) {
                        throw Violation(description: "\"\(here).\(key)\" must be 0–6000")
                    }
                }
            }
            return type
        }
        // Subcommands and plain options do not mix at one level.
        let subcommands = kinds.filter { $0 == 1 || $0 == 2 }.count
        if subcommands > 0 && subcommands < kinds.count {
            throw Violation(description: "\"\(path)\" mixes subcommands with other options; Discord allows one or the other at a level")
        }
        return total
    }

    private static func checkChoices(_ value: JSONValue?, path: String, optionType: Int) throws(Violation) -> Int {
        guard let value, !isNull(value) else { return 0 }
        guard [3, 4, 10].contains(optionType) else { throw Violation(description: "\"\(path)\": only string, integer and number options have choices") }
        guard let choices = value.arrayValue else { throw Violation(description: "\"\(path)\" must be an array") }
        guard choices.count <= maxChoices else { throw Violation(description: "\"\(path)\" has \(choices.count) choices; Discord allows \(maxChoices)") }
        var total = 0
        for (index, choice) in choices.enumerated() {
            let here = "\(path)[\(index)]"
            guard let object = choice.objectValue else { throw Violation(description: "\"\(here)\" must be an object") }
            let name = try string(object["name"], here + ".name", required: true) ?? ""
            try checkLength(name, here + ".name", 1...100)
            switch (optionType, object["value"]) {
            case (3, .string(let text)?):
                try checkLength(text, here + ".value", 1...100)
                total += text.count
            case (4, .number(let number)?) where number.int64 != nil:
                total += number.text.count
            case (10, .number(let number)?):
                total += number.text.count
            default:
                throw Violation(description: "\"\(here).value\" must be a \(optionType == 3 ? "string" : optionType == 4 ? "whole number" : "number") like its option")
            }
            total += name.count
        }
        return total
    }

    /// Chat-input names: 1–32 characters, lowercase where the script has case, letters, digits,
    /// '-', '_' and '\''. Context-menu names: 1–32 characters of any kind.
    private static func checkName(_ name: String, _ path: String, chatInput: Bool) throws(Violation) {
        try checkLength(name, path, 1...32)
        guard chatInput else { return }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar == "-" || scalar == "_" || scalar == "'" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark
        }
        guard allowed, name == name.lowercased() else {
            throw Violation(description: "\"\(path)\" \"\(name)\" must be 1–32 lowercase letters, digits, '-', '_' or '\\''")
        }
    }

    private static func checkLength(_ text: String, _ path: String, _ range: ClosedRange<Int>) throws(Violation) {
        guard range.contains(text.count) else {
            throw Violation(description: "\"\(path)\" must be \(range.lowerBound)–\(range.upperBound) characters (it has \(text.count))")
        }
    }

    private static func string(_ value: JSONValue?, _ path: String, required: Bool) throws(Violation) -> String? {
        guard let value, !isNull(value) else {
            if required { throw Violation(description: "\"\(path)\" is missing") }
            return nil
        }
        guard let text = value.stringValue else { throw Violation(description: "\"\(path)\" must be a string") }
        return text
    }

    private static func integer(_ value: JSONValue?, _ path: String) throws(Violation) -> Int? {
        guard let value, !isNull(value) else { return nil }
        // 3, 3.0 and 3e0 are the same whole number (and the same canonical text).
        if let number = value.numberValue?.int64, let int = Int(exactly: number) { return int }
        if let number = value.numberValue?.double, number.isFinite, number == number.rounded(),
           abs(number) < 9_007_199_254_740_992, let int = Int(exactly: number) { return int }
        throw Violation(description: "\"\(path)\" must be a whole number")
    }

    private static func isNull(_ value: JSONValue) -> Bool { value == .null }
}
