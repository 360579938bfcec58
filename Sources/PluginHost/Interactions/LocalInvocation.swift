import BotHostCore
import DiscordClient
import Synchronization

/// Builds a Discord-shaped interaction from a typed command line such as `/count add:5` or
/// `/sessions watch channel:123`, using the registered command's definition to type the options.
/// Used by the console and the tests; Discord's own interactions arrive ready-made.
public enum LocalInvocation {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String

        package init(description: String) {
            self.description = description
        }
    }

    private static let counter = Atomic<UInt64>(1)

    /// Parses `line` against the registered definitions and returns an invocation.
    public static func parse(_ line: String, definitions: [String: [UInt8]], userID: UInt64, guildID: UInt64 = 1,
                             channelID: UInt64 = 2, memberPermissions: UInt64 = 0) throws(ParseError) -> CommandInvocation {
        var words = tokenize(line)
        guard let first = words.first, first.hasPrefix("/"), first.count > 1 else {
            throw ParseError(description: "a command starts with '/', e.g. /help")
        }
        words.removeFirst()
        let name = String(first.dropFirst())
        guard let definitionBytes = definitions[name],
              let definition = (try? JSONValue.parse(definitionBytes))?.objectValue else {
            let known = definitions.keys.sorted().map { "/\($0)" }.joined(separator: ", ")
            throw ParseError(description: "unknown command /\(name)" + (known.isEmpty ? "" : "; known: \(known)"))
        }
        var optionDefs = Self.options(of: .object(definition))
        var path: [(name: String, type: Int64)] = []
        // Sub-command groups (2) and sub-commands (1) are leading bare words.
        while let word = words.first, !word.contains(":"),
              let sub = optionDefs.first(where: { $0["name"]?.stringValue == word && [1, 2].contains($0["type"]?.int64Value ?? 0) }) {
            path.append((word, sub["type"]?.int64Value ?? 1))
            optionDefs = Self.options(of: sub)
            words.removeFirst()
        }
        var options: [JSONValue] = []
        var given: Set<String> = []
        for word in words {
            guard let colon = word.firstIndex(of: ":") else {
                throw ParseError(description: "option \"\(word)\" needs the form name:value")
            }
            let key = String(word[..<colon]), raw = String(word[word.index(after: colon)...])
            guard let optionDef = optionDefs.first(where: { $0["name"]?.stringValue == key }) else {
                let known = optionDefs.compactMap { $0["name"]?.stringValue }.joined(separator: ", ")
                throw ParseError(description: "/\(name) has no option \"\(key)\"" + (known.isEmpty ? "" : "; options: \(known)"))
            }
            let type = optionDef["type"]?.int64Value ?? 3
            options.append(["name": .string(key), "type": .number(JSONNumber(type)), "value": try typedValue(raw, type: type, option: key)])
            given.insert(key)
        }
        for required in optionDefs where required["required"]?.boolValue == true {
            if let key = required["name"]?.stringValue, !given.contains(key) {
                throw ParseError(description: "/\(name) needs the option \(key):…")
            }
        }
        // Nest options under the sub-command path, innermost first.
        var nested = options
        for level in path.reversed() {
            nested = [["name": .string(level.name), "options": .array(nested), "type": .number(JSONNumber(level.type))]]
        }
        let id = 1_000_000 + counter.add(1, ordering: .relaxed).oldValue
        let token = "local-\(id)"
        let object: JSONValue = [
            "application_id": "1", "channel_id": .string(String(channelID)),
            "data": ["id": .string(String(id)), "name": .string(name), "options": .array(nested), "type": 1],
            "guild_id": .string(String(guildID)), "id": .string(String(id)),
            "member": ["permissions": .string(String(memberPermissions)), "user": ["id": .string(String(userID)), "username": "local-user"]],
            "token": .string(token), "type": 2, "version": 1,
        ]
        return CommandInvocation(interactionID: id, token: token, json: object.compactBytes, commandName: name, userID: userID,
                                 guildID: guildID, channelID: channelID, memberPermissions: memberPermissions)
    }

    /// A definition's (or a sub-command's) option objects; none when absent or malformed.
    private static func options(of definition: JSONValue) -> [JSONValue] {
        (definition["options"]?.arrayValue ?? []).filter { $0.objectValue != nil }
    }

    private static func typedValue(_ raw: String, type: Int64, option: String) throws(ParseError) -> JSONValue {
        switch type {
        case 4:
            guard let value = Int64(raw) else { throw ParseError(description: "\(option) must be a whole number") }
            return .number(JSONNumber(value))
        case 10:
            guard let value = Double(raw), let number = JSONNumber(value) else { throw ParseError(description: "\(option) must be a number") }
            return .number(number)
        case 5:
            switch raw.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: throw ParseError(description: "\(option) must be true or false")
            }
        default:
            return .string(raw)  // strings, and snowflakes for users/channels/roles
        }
    }

    /// Splits on spaces, keeping "quoted words" together (quotes removed).
    package static func tokenize(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle(); continue }
            if character == " " && !quoted {
                if !current.isEmpty { words.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// Keeps every response it is given; used by the console (which prints them) and by tests.
public final class RecordingResponder: InteractionResponder {
    private let recorded = Mutex<[InteractionResponse]>([])
    private let onResponse: @Sendable (InteractionResponse) -> Void

    public init(onResponse: @escaping @Sendable (InteractionResponse) -> Void = { _ in }) {
        self.onResponse = onResponse
    }

    public var responses: [InteractionResponse] { recorded.withLock { $0 } }

    public func respond(_ response: InteractionResponse) async -> Result<[UInt8], InteractionResponseError> {
        recorded.withLock { $0.append(response) }
        onResponse(response)
        return .success(Array(#"{"id":"0"}"#.utf8))
    }
}
