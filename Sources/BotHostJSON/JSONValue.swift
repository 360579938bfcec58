/// A JSON document as a value: objects keep their keys in file order and numbers keep their
/// source text, so a file can be edited and written back without reordering or rounding anything.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Nesting deeper than this is refused: a hostile file must not exhaust the stack.
    public static let maxDepth = 512

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var numberValue: JSONNumber? { if case .number(let n) = self { n } else { nil } }
    /// The number when it is a plain integer (no fraction or exponent) that fits.
    public var int64Value: Int64? { numberValue?.int64 }
    /// An unsigned 64-bit integer written as a number or as a string of decimal digits: how ids
    /// travel in JSON, where a double could not hold them.
    public var uint64Value: UInt64? {
        switch self {
        case .number(let n): n.uint64
        case .string(let s): UInt64(s)
        default: nil
        }
    }

    /// The member `key` when this is an object.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

// MARK: - Numbers

/// A JSON number stored as its (validated) source text: integers of any size, such as Discord
/// snowflakes, stay exact, and `1.50` is written back as `1.50`. Equality compares the text.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public let text: String

    /// nil unless `text` is a number in JSON's grammar.
    public init?(text: String) {
        var parser = JSONParser(bytes: Array(text.utf8))
        guard let value = try? parser.parseDocument(), case .number(let number) = value else { return nil }
        self = number
    }

    package init(validatedText: String) { text = validatedText }
    public init(_ value: Int) { text = String(value) }
    public init(_ value: Int64) { text = String(value) }
    public init(_ value: UInt64) { text = String(value) }
    /// nil for NaN and infinities, which JSON cannot express.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        text = "\(value)"
    }
    public init(integerLiteral value: Int) { self.init(value) }
    public init(floatLiteral value: Double) { text = value.isFinite ? "\(value)" : "0" }

    /// The value when the text is a plain integer (no fraction or exponent) that fits.
    public var int64: Int64? { Int64(text) }
    public var uint64: UInt64? { UInt64(text) }
    /// The nearest double (large exponents give ±infinity).
    public var double: Double { Double(text) ?? .nan }
    public var description: String { text }

    /// The number in one spelling: integers as written (without a sign on zero); anything with a
    /// fraction or exponent as the integer it equals when it is one below 2^53, else as the
    /// shortest double that reads back the same.
    public var canonicalText: String {
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            return text == "-0" ? "0" : text
        }
        let value = double
        guard value.isFinite else { return text }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return "\(value)"
    }
}

// MARK: - Objects

/// A JSON object whose members keep their order. Keys are unique: setting an existing key
/// replaces its value in place. Equality is order-sensitive.
public struct JSONObject: Sendable, Equatable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member] = []

    public init() {}

    /// Later duplicates replace earlier ones (in the earlier one's position).
    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    package init(uniqueMembers: [Member]) { members = uniqueMembers }

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Member { members[position] }

    public var keys: [String] { members.map(\.key) }

    /// Reads a member; setting nil removes it, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let i?, let value?): members[i].value = value
            case (let i?, nil): members.remove(at: i)
            case (nil, let value?): members.append(Member(key: key, value: value))
            case (nil, nil): break
            }
        }
    }
}

// MARK: - Literals (handy for building configs in code and tests)

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(floatLiteral: value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

// MARK: - Serialization

extension JSONValue {
    /// One line, no spaces: what plugins receive as their config.
    public var compactText: String {
        var out = ""
        writeCompact(into: &out)
        return out
    }

    /// `compactText` as UTF-8: what goes on the wire.
    public var compactBytes: [UInt8] { Array(compactText.utf8) }

    /// Two-space indentation, keys in stored order, a trailing newline: what goes into files.
    public var prettyText: String {
        var out = ""
        writePretty(into: &out, indent: 0)
        out.append("\n")
        return out
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .null, .bool, .number, .string:
            writeScalar(into: &out)
        case .array(let items):
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                item.writeCompact(into: &out)
            }
            out.append("]")
        case .object(let object):
            out.append("{")
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(",") }
                Self.writeString(member.key, into: &out)
                out.append(":")
                member.value.writeCompact(into: &out)
            }
            out.append("}")
        }
    }

    /// One canonical spelling of the value: object keys sorted (by their UTF-8 bytes), no spaces,
    /// numbers normalised (`1.0`, `1e0` and `1` are all `1`), strings escaped only where JSON
    /// requires. Two documents that mean the same JSON have the same canonical text, whatever
    /// order or spelling produced them: what a fingerprint of generated JSON must be taken over.
    public var canonicalText: String {
        var out = ""
        writeCanonical(into: &out)
        return out
    }

    private func writeCanonical(into out: inout String) {
        switch self {
        case .null, .bool, .string:
            writeScalar(into: &out)
        case .number(let number):
            out.append(number.canonicalText)
        case .array(let items):
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                item.writeCanonical(into: &out)
            }
            out.append("]")
        case .object(let object):
            out.append("{")
            let sorted = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(",") }
                Self.writeString(member.key, into: &out)
                out.append(":")
                member.value.writeCanonical(into: &out)
            }
            out.append("}")
        }
    }

    private func writePretty(into out: inout String, indent: Int) {
        let inner = String(repeating: " ", count: indent + 2)
        switch self {
        case .null, .bool, .number, .string:
            writeScalar(into: &out)
        case .array(let items):
            guard !items.isEmpty else { out.append("[]"); return }
            out.append("[\n")
            for (i, item) in items.enumerated() {
                out.append(inner)
                item.writePretty(into: &out, indent: indent + 2)
                out.append(i == items.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent) + "]")
        case .object(let object):
            guard !object.isEmpty else { out.append("{}"); return }
            out.append("{\n")
            for (i, member) in object.members.enumerated() {
                out.append(inner)
                Self.writeString(member.key, into: &out)
                out.append(": ")
                member.value.writePretty(into: &out, indent: indent + 2)
                out.append(i == object.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent) + "}")
        }
    }

    private func writeScalar(into out: inout String) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let n): out.append(n.text)
        case .string(let s): Self.writeString(s, into: &out)
        case .array, .object: break
        }
    }

    /// Escapes what JSON requires (quote, backslash, control characters); the rest stays as is.
    package static func writeString(_ string: String, into out: inout String) {
        out.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
