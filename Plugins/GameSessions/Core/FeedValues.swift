/// Reading typed fields out of feed entries. Feeds write numbers as numbers or as strings of
/// digits; both are taken. A field of another type makes the entry malformed (`FeedValueError`),
/// while a missing or null field is simply absent.
struct FeedValueError: Error {
    let field: String
    let problem: String
}

enum FeedValues {
    static func string(_ value: FeedJSON?, _ field: String) throws(FeedValueError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .integer(let number)?: return String(number)
        case .number(let number)?: return number.isFinite ? String(number) : nil
        case let other?: throw FeedValueError(field: field, problem: "is \(other.kindName), not text")
        }
    }

    /// Text that a person reads: trimmed, and nil when blank.
    static func text(_ value: FeedJSON?, _ field: String) throws(FeedValueError) -> String? {
        guard let text = try string(value, field) else { return nil }
        let trimmed = text.trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    static func integer(_ value: FeedJSON?, _ field: String) throws(FeedValueError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)?:
            guard let int = Int(exactly: number) else { throw FeedValueError(field: field, problem: "is out of range") }
            return int
        case .number(let number)?:
            guard number.isFinite, number == number.rounded(), let int = Int(exactly: number) else {
                throw FeedValueError(field: field, problem: "is \(number), not a whole number")
            }
            return int
        case .string(let text)?:
            let trimmed = text.trimmingSpaces
            if trimmed.isEmpty { return nil }
            guard let int = Int(trimmed) else { throw FeedValueError(field: field, problem: "is \"\(text.prefix(40))\", not a number") }
            return int
        case let other?:
            throw FeedValueError(field: field, problem: "is \(other.kindName), not a number")
        }
    }

    /// A count: a whole number that is not negative.
    static func count(_ value: FeedJSON?, _ field: String) throws(FeedValueError) -> Int? {
        guard let number = try integer(value, field) else { return nil }
        guard number >= 0 else { throw FeedValueError(field: field, problem: "is \(number), a negative count") }
        return number
    }

    static func bool(_ value: FeedJSON?, _ field: String) throws(FeedValueError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .integer(let number)?: return number != 0
        case .string(let text)?:
            switch text.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0", "": return false
            default: throw FeedValueError(field: field, problem: "is \"\(text.prefix(40))\", not true or false")
            }
        case let other?:
            throw FeedValueError(field: field, problem: "is \(other.kindName), not true or false")
        }
    }

    /// An id: text or a whole number, never empty.
    static func id(_ value: FeedJSON?, _ field: String) throws(FeedValueError) -> String {
        switch value {
        case .string(let text)?:
            let trimmed = text.trimmingSpaces
            guard !trimmed.isEmpty else { throw FeedValueError(field: field, problem: "is empty") }
            return trimmed
        case .integer(let number)?:
            return String(number)
        case nil, .null?:
            throw FeedValueError(field: field, problem: "is missing")
        case let other?:
            throw FeedValueError(field: field, problem: "is \(other.kindName), not an id")
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}
