// MARK: - Syntax errors

/// Where and why a document is not valid JSON. Line and column are 1-based; columns count
/// characters, not bytes.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    /// Where in the document the parser was, e.g. `$.plugins[1]`.
    public let path: String
    /// What the parser needed here, e.g. `',' or '}' after an object member`.
    public let expected: String
    /// What it saw instead, e.g. `'"'` or `the end of the file`.
    public let found: String
    /// A concrete way to fix the usual cause, when there is one.
    public let hint: String?

    public var description: String {
        "line \(line), column \(column): expected \(expected), found \(found)" + (hint.map { " (\($0))" } ?? "")
    }
}

// MARK: - Parser

/// A strict recursive-descent parser for RFC 8259 JSON (plus an optional leading UTF-8 BOM).
package struct JSONParser {
    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private var path: [PathComponent] = []

    package init(bytes: [UInt8]) { self.bytes = bytes }

    package mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else {
            throw fail("the end of the document", hint: "a JSON file holds exactly one value; remove what follows it or wrap both in an array")
        }
        return value
    }

    // MARK: values

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw fail(Self.aValue) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "'"): throw fail(Self.aValue, hint: "JSON strings use double quotes")
        case UInt8(ascii: "]"), UInt8(ascii: "}"): throw fail(Self.aValue, hint: "JSON allows no trailing comma; remove the ',' before it")
        case UInt8(ascii: "/"): throw fail(Self.aValue, hint: "JSON has no comments")
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            throw fail(Self.aValue, hint: "text needs double quotes; true, false and null are lower case")
        default: throw fail(Self.aValue)
        }
    }

    private static let aValue = "a value (object, array, string, number, true, false or null)"

    private mutating func expectLiteral(_ word: String) throws(JSONSyntaxError) {
        for expected in word.utf8 {
            guard peek == expected else {
                throw fail("'\(word)'")
            }
            index += 1
        }
    }

    private mutating func enterContainer() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= JSONValue.maxDepth else {
            throw fail("at most \(JSONValue.maxDepth) levels of nested arrays and objects", found: "a deeper level")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        index += 1  // '{'
        var members: [JSONObject.Member] = []
        var firstSeen: [String: Int] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else {
                let hint: String? = switch peek {
                case UInt8(ascii: "}"): "JSON allows no trailing comma; remove the ',' before it"
                case UInt8(ascii: "'"): "JSON strings use double quotes"
                case UInt8(ascii: "/"): "JSON has no comments"
                case nil: nil
                default: "put the key in double quotes"
                }
                throw fail("a key in double quotes", hint: hint)
            }
            let keyStart = index
            let key = try parseString()
            if let first = firstSeen[key] {
                let (line, column) = position(of: first)
                throw fail("a key not already used in this object", found: "\"\(key)\" again (first at line \(line), column \(column))",
                           at: keyStart, hint: "remove one of the two, or rename it")
            }
            firstSeen[key] = keyStart
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw fail("':' after the key \"\(key)\"") }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue()
            path.removeLast()
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(JSONObject(uniqueMembers: members))
            case UInt8(ascii: "\""): throw fail("',' or '}' after an object member", hint: "add a ',' between members")
            default: throw fail("',' or '}' after an object member")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        index += 1  // '['
        var items: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        while true {
            skipWhitespace()
            path.append(.index(items.count))
            items.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(items)
            case nil, UInt8(ascii: "}"): throw fail("',' or ']' after an array element")
            default: throw fail("',' or ']' after an array element", hint: "add a ',' between elements")
            }
        }
    }

    // MARK: strings

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1  // opening quote
        var out: [UInt8] = []
        while true {
            // Copy the run of plain bytes in one go.
            let runStart = index
            while index < bytes.count, bytes[index] >= 0x20, bytes[index] < 0x80,
                  bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                index += 1
            }
            out.append(contentsOf: bytes[runStart..<index])
            guard index < bytes.count else {
                let (line, column) = position(of: start)
                throw fail("'\"' to close the string", hint: "the string that starts at line \(line), column \(column) is never closed")
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)  // validated while scanning
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw fail("a character or escape sequence in a string",
                           hint: byte == 0x0A ? "a string cannot span lines; write \\n, or close the string with '\"'"
                                              : "write control characters as escapes such as \\t or \\u0001")
            default:
                guard let length = utf8Length(at: index) else { throw fail("valid UTF-8 text") }
                out.append(contentsOf: bytes[index..<index + length])
                index += length
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        let escapeStart = index
        index += 1  // backslash
        guard let letter = peek else { throw fail("an escape sequence after '\\'") }
        let simple: UInt8? = switch letter {
        case UInt8(ascii: "\""): 0x22
        case UInt8(ascii: "\\"): 0x5C
        case UInt8(ascii: "/"): 0x2F
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            out.append(simple)
            index += 1
            return
        }
        guard letter == UInt8(ascii: "u") else {
            throw fail("an escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)", at: escapeStart,
                       hint: "to write a backslash itself, double it: \\\\")
        }
        index += 1
        var code = try parseHex4()
        if (0xDC00...0xDFFF).contains(code) {
            throw fail("a high surrogate (\\uD800-\\uDBFF) before a low surrogate", at: escapeStart)
        }
        if (0xD800...0xDBFF).contains(code) {
            let lowStart = index
            guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw fail("a low surrogate escape (\\uDC00-\\uDFFF) after the high surrogate")
            }
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw fail("a low surrogate escape (\\uDC00-\\uDFFF) after the high surrogate", at: lowStart)
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw fail("a valid Unicode scalar", at: escapeStart) }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = Self.hexValue(byte) else {
                throw fail("four hexadecimal digits after \\u")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The length of the well-formed UTF-8 sequence at `i` (no overlongs, surrogates or values
    /// above U+10FFFF), or nil.
    private func utf8Length(at i: Int) -> Int? {
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            i + offset < bytes.count && range.contains(bytes[i + offset])
        }
        switch bytes[i] {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : nil
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : nil
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : nil
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : nil
        default: return nil
        }
    }

    // MARK: numbers

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, Self.isDigit(first) else { throw fail("a digit after '-'") }
        index += 1
        if first == UInt8(ascii: "0") {
            if let next = peek, Self.isDigit(next) {
                throw fail("'.', 'e' or the end of the number after a leading 0", hint: "JSON numbers have no leading zeros; write big ids as strings")
            }
        } else {
            skipDigits()
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek, Self.isDigit(digit) else { throw fail("a digit after the decimal point") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, Self.isDigit(digit) else { throw fail("a digit in the exponent") }
            skipDigits()
        }
        return JSONNumber(validatedText: String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek, Self.isDigit(byte) { index += 1 }
    }

    // MARK: helpers

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// 1-based line and column (in characters) of a byte offset.
    private func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// Describes the character at `offset` for an error message.
    private func describeFound(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the file" }
        let byte = bytes[offset]
        switch byte {
        case 0x0A, 0x0D: return "a line break"
        case 0x09: return "a tab"
        case 0x20: return "a space"
        case 0..<0x20, 0x7F: return "the control character U+\(String(byte, radix: 16, uppercase: true))"
        case 0x21..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            guard let length = utf8Length(at: offset) else {
                return "the invalid UTF-8 byte 0x\(String(byte, radix: 16, uppercase: true))"
            }
            return "'\(String(decoding: bytes[offset..<offset + length], as: UTF8.self))'"
        }
    }

    private func renderedPath() -> String {
        var text = "$"
        for component in path {
            switch component {
            case .index(let i): text += "[\(i)]"
            case .key(let key) where Self.isPlainKey(key): text += ".\(key)"
            case .key(let key):
                var quoted = ""
                JSONValue.writeString(key, into: &quoted)
                text += "[\(quoted)]"
            }
        }
        return text
    }

    package static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private func fail(_ expected: String, found: String? = nil, at offset: Int? = nil, hint: String? = nil) -> JSONSyntaxError {
        let offset = offset ?? index
        let (line, column) = position(of: offset)
        return JSONSyntaxError(line: line, column: column, path: renderedPath(), expected: expected,
                               found: found ?? describeFound(at: offset), hint: hint)
    }
}
