/// Why bytes could not be scanned as JSON, and where.
public struct JSONScanError: Error, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the scanned buffer.
    public let offset: Int
    public let expected: String

    public var description: String { "invalid JSON at byte \(offset): expected \(expected)" }
}

/// A forward-only reader over JSON bytes that locates values without building them, so a gateway
/// event's `d` can be handed on as the exact bytes Discord sent. It checks the grammar of what it
/// skips (strings, escapes, numbers, literals, nesting) but decodes only what it is asked to read.
/// Nesting is tracked with an explicit stack, so hostile input cannot exhaust the call stack.
struct JSONScanner {
    static let maxDepth = 10_000

    let bytes: ArraySlice<UInt8>
    private(set) var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    var isAtEnd: Bool { index >= bytes.endIndex }
    private var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    func error(_ expected: String) -> JSONScanError {
        JSONScanError(offset: index - bytes.startIndex, expected: expected)
    }

    mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONScanError) {
        skipWhitespace()
        guard peek == byte else { throw error(what) }
        index += 1
    }

    /// Fails unless only whitespace remains.
    mutating func expectEnd() throws(JSONScanError) {
        skipWhitespace()
        guard isAtEnd else { throw error("the end of the document") }
    }

    // MARK: objects

    /// Walks the object at the current position. `visit` gets each key and must consume exactly one
    /// value (by skipping or reading it).
    mutating func scanObject(_ visit: (String, inout JSONScanner) throws(JSONScanError) -> Void) throws(JSONScanError) {
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if peek == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw error("a member name") }
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            skipWhitespace()
            let before = index
            try visit(key, &self)
            guard index > before else { throw error("the member's value to be consumed") }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw error("',' or '}' after an object member")
            }
        }
    }

    // MARK: values

    /// Skips one complete value and returns its byte range (without surrounding whitespace).
    @discardableResult
    mutating func skipValue() throws(JSONScanError) -> Range<Int> {
        skipWhitespace()
        let start = index
        var closers: [UInt8] = []
        nextValue: while true {
            skipWhitespace()
            guard let b = peek else { throw error("a value") }
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                index += 1
                let closer = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                skipWhitespace()
                if peek == closer {
                    index += 1
                } else {
                    guard closers.count < Self.maxDepth else { throw error("nesting shallower than \(Self.maxDepth)") }
                    closers.append(closer)
                    if closer == UInt8(ascii: "}") { try skipMemberName() }
                    continue nextValue
                }
            case UInt8(ascii: "\""): _ = try skipString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
            case UInt8(ascii: "t"): try skipLiteral("true")
            case UInt8(ascii: "f"): try skipLiteral("false")
            case UInt8(ascii: "n"): try skipLiteral("null")
            default: throw error("a value")
            }
            // A value is complete: close containers or move on to the next element.
            while let closer = closers.last {
                skipWhitespace()
                guard let c = peek else { throw error("',' or '\(Character(Unicode.Scalar(closer)))'") }
                if c == UInt8(ascii: ",") {
                    index += 1
                    if closer == UInt8(ascii: "}") { try skipMemberName() }
                    continue nextValue
                }
                guard c == closer else { throw error("',' or '\(Character(Unicode.Scalar(closer)))'") }
                index += 1
                closers.removeLast()
            }
            return start..<index
        }
    }

    private mutating func skipMemberName() throws(JSONScanError) {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw error("a member name") }
        _ = try skipString()
        try expect(UInt8(ascii: ":"), "':' after a member name")
    }

    private mutating func skipLiteral(_ word: StaticString) throws(JSONScanError) {
        let count = word.utf8CodeUnitCount
        guard bytes.endIndex - index >= count else { throw error("'\(word)'") }
        let matches = word.withUTF8Buffer { literal in
            literal.indices.allSatisfy { bytes[index + $0] == literal[$0] }
        }
        guard matches else { throw error("'\(word)'") }
        index += count
    }

    private mutating func skipDigits() throws(JSONScanError) {
        guard let b = peek, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { throw error("a digit") }
        while let d = peek, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") { index += 1 }
    }

    /// RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    private mutating func skipNumber() throws(JSONScanError) {
        if peek == UInt8(ascii: "-") { index += 1 }
        if peek == UInt8(ascii: "0") { index += 1 } else { try skipDigits() }
        if peek == UInt8(ascii: ".") { index += 1; try skipDigits() }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            try skipDigits()
        }
    }

    /// Moves past bytes that need no attention inside a string (not a quote, backslash or control
    /// character) in one unchecked loop: most of a dispatch's bytes are string contents.
    @inline(__always)
    private mutating func skipPlainStringBytes() {
        let start = index - bytes.startIndex
        let end = bytes.withUnsafeBufferPointer { buffer -> Int in
            var i = start
            while i < buffer.count {
                let b = buffer[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
                i += 1
            }
            return i
        }
        index = bytes.startIndex + end
    }

    /// Skips the string at the current position (which must be a quote); returns whether it held
    /// escapes, so callers can slice plain strings without decoding.
    private mutating func skipString() throws(JSONScanError) -> Bool {
        guard peek == UInt8(ascii: "\"") else { throw error("'\"'") }
        index += 1
        var escaped = false
        while true {
            skipPlainStringBytes()
            guard let b = peek else { break }
            index += 1
            switch b {
            case UInt8(ascii: "\""): return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                guard let e = peek else { throw error("an escape") }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let h = peek, Self.hexValue(h) != nil else { throw error("four hex digits after \\u") }
                        index += 1
                    }
                default:
                    index -= 1
                    throw error("a valid escape")
                }
            case 0..<0x20:
                index -= 1
                throw error("no control characters inside a string")
            default: break
            }
        }
        throw error("the closing '\"' of a string")
    }

    // MARK: reading

    /// Reads and decodes the string at the current position.
    mutating func readString() throws(JSONScanError) -> String {
        let start = index
        let escaped = try skipString()
        let body = bytes[(start + 1)..<(index - 1)]
        if !escaped { return String(decoding: body, as: UTF8.self) }
        return Self.unescape(body)
    }

    /// Reads an integer; fractions, exponents and values that do not fit are refused.
    mutating func readInteger() throws(JSONScanError) -> Int {
        skipWhitespace()
        let start = index
        try skipNumber()
        guard let value = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            index = start
            throw error("an integer")
        }
        return value
    }

    /// Reads a number of any form as a Double.
    mutating func readNumber() throws(JSONScanError) -> Double {
        skipWhitespace()
        let start = index
        try skipNumber()
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            index = start
            throw error("a number")
        }
        return value
    }

    /// Consumes `null` if it is next.
    mutating func readNull() -> Bool {
        skipWhitespace()
        guard peek == UInt8(ascii: "n") else { return false }
        do { try skipLiteral("null") } catch { return false }
        return true
    }

    mutating func readBool() throws(JSONScanError) -> Bool {
        skipWhitespace()
        if peek == UInt8(ascii: "t") { try skipLiteral("true"); return true }
        if peek == UInt8(ascii: "f") { try skipLiteral("false"); return false }
        throw error("true or false")
    }

    // MARK: helpers

    static func hexValue(_ b: UInt8) -> UInt16? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Decodes the escapes of a string body that `skipString` already validated. Lone surrogates
    /// become U+FFFD rather than failing: a name with one is still worth delivering.
    private static func unescape(_ body: ArraySlice<UInt8>) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(body.count)
        var out = ""
        func flushUnits() {
            if !units.isEmpty {
                out += String(decoding: units, as: UTF16.self)
                units.removeAll(keepingCapacity: true)
            }
        }
        var i = body.startIndex
        var plainStart = i
        func hex4(_ at: Int) -> UInt16 {
            (0..<4).reduce(UInt16(0)) { $0 << 4 | (hexValue(body[at + $1]) ?? 0) }
        }
        while i < body.endIndex {
            guard body[i] == UInt8(ascii: "\\") else { i += 1; continue }
            if plainStart < i { flushUnits(); out += String(decoding: body[plainStart..<i], as: UTF8.self) }
            let e = body[i + 1]
            if e == UInt8(ascii: "u") {
                units.append(hex4(i + 2))
                i += 6
            } else {
                flushUnits()
                switch e {
                case UInt8(ascii: "b"): out += "\u{08}"
                case UInt8(ascii: "f"): out += "\u{0C}"
                case UInt8(ascii: "n"): out += "\n"
                case UInt8(ascii: "r"): out += "\r"
                case UInt8(ascii: "t"): out += "\t"
                default: out.unicodeScalars.append(Unicode.Scalar(e))
                }
                i += 2
            }
            plainStart = i
        }
        flushUnits()
        if plainStart < body.endIndex { out += String(decoding: body[plainStart...], as: UTF8.self) }
        return out
    }
}
