import BotHost
import Foundation

/// JSON Schema's view of JSON values: type names, equality, order, and how to quote them in messages.
enum JSONKind {
    /// Whether `value` has one of the types named by `types` (a name or a list of names).
    static func matches(_ value: JSONValue, _ types: JSONValue) -> Bool {
        switch types {
        case .string(let name): return matches(value, name)
        case .array(let names): return names.contains { $0.stringValue.map { matches(value, $0) } ?? false }
        default: return true  // not a type constraint the spec could mean
        }
    }

    static func matches(_ value: JSONValue, _ name: String) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
             ("number", .number): return true
        case ("integer", .number(let number)): return isInteger(number)
        default: return false
        }
    }

    /// Integers are numbers written without a fraction or exponent, as every JSON encoder writes
    /// integers; `1.0` where Discord wants an integer points at a Double in the sender's model.
    static func isInteger(_ number: JSONNumber) -> Bool {
        !number.text.contains { $0 == "." || $0 == "e" || $0 == "E" }
    }

    /// JSON equality: numbers by value (`1` equals `1.0`), objects regardless of member order.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return compare(x, y) == .orderedSame
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { member in y[member.key].map { same(member.value, $0) } ?? false }
        default: return a == b
        }
    }

    /// Integers compare exactly (snowflake-sized values exceed a Double's precision); the rest as doubles.
    static func compare(_ a: JSONNumber, _ b: JSONNumber) -> ComparisonResult {
        if let x = a.int64, let y = b.int64 { return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame }
        let x = a.double, y = b.double
        return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
    }

    /// The indices of the first two equal items, if any.
    static func firstDuplicate(in items: [JSONValue]) -> (Int, Int)? {
        for j in items.indices {
            for i in 0..<j where same(items[i], items[j]) { return (i, j) }
        }
        return nil
    }

    /// "string or null" for a `type` keyword's value.
    static func describeTypes(_ types: JSONValue) -> String {
        switch types {
        case .string(let name): return name
        case .array(let names): return names.compactMap(\.stringValue).joined(separator: " or ")
        default: return "?"
        }
    }

    /// "integer 5", "string \"abc\"", "object": a value as a message mentions it.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return "boolean \(flag)"
        case .number(let number): return (isInteger(number) ? "integer " : "number ") + number.text
        case .string: return "string " + literal(value)
        case .array(let items): return "array of " + count(items.count, "item")
        case .object: return "object"
        }
    }

    /// A value as JSON text, shortened so that a long string cannot swamp a message.
    static func literal(_ value: JSONValue) -> String {
        let text = value.compactText
        return text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }

    /// "1 item", "3 items", "2 properties".
    static func count(_ n: Int, _ noun: String) -> String {
        guard n != 1 else { return "1 \(noun)" }
        return noun.hasSuffix("y") ? "\(n) \(noun.dropLast())ies" : "\(n) \(noun)s"
    }

    /// How many levels below the document root a JSON pointer points.
    static func depth(of pointer: String) -> Int {
        pointer.reduce(0) { $1 == "/" ? $0 + 1 : $0 }
    }

    /// RFC 6901: "~" and "/" inside a key are written "~0" and "~1".
    static func escapePointerToken(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
