/// Why bytes could not be scanned as JSON, and where.
public struct JSONScanError: Error, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the scanned buffer.
    public let offset: Int
    public let expected: String

    package init(offset: Int, expected: String) {
        self.offset = offset
        self.expected = expected
    }

    public var description: String { "invalid JSON at byte \(offset): expected \(expected)" }
}

/// A forward-only reader over JSON bytes that locates values without building them, so a gateway
/// event's `d` can be handed on as the exact bytes Discord sent. It checks the grammar of what it
/// skips (strings, escapes, numbers, literals, nesting) but decodes only what it is asked to read.
/// Nesting is tracked with an explicit stack, so hostile input cannot exhaust the call stack.
package struct JSONScanner {
    package static let maxDepth = 10_000

    package let bytes: ArraySlice<UInt8>
    package private(set) var index: Int

    package init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    package init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    private init(_ bytes: ArraySlice<UInt8>, at index: Int) {
        self.bytes = bytes
        self.index = index
    }

    package var isAtEnd: Bool { index >= bytes.endIndex }
    private var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    package func error(_ expected: String) -> JSONScanError {
        JSONScanError(offset: index - bytes.startIndex, expected: expected)
    }

    package mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    package mutating func expect(_ byte: UInt8, _ what: String) throws(JSONScanError) {
        skipWhitespace()
        guard peek == byte else { throw error(what) }
        index += 1
    }

    /// Fails unless only whitespace remains.
    package mutating func expectEnd() throws(JSONScanError) {
        skipWhitespace()
        guard isAtEnd else { throw error("the end of the document") }
    }

    // MARK: objects

    /// Walks the object at the current position. `visit` gets each key and must consume exactly one
    /// value (by skipping or reading it).
    package mutating func scanObject(_ visit: (String, inout JSONScanner) throws(JSONScanError) -> Void) throws(JSONScanError) {
        // The cursor walks the object; each member's value is handed to `visit` as a scanner at
        // the cursor's position, and the cursor goes on from wherever `visit` left it.
        let bytes = self.bytes
        try withCursor { (cursor) throws(JSONScanError) in
            try cursor.scanObject { (key, member) throws(JSONScanError) in
                var scanner = JSONScanner(bytes, at: bytes.startIndex + member.position)
                try visit(key, &scanner)
                member.move(to: scanner.index - bytes.startIndex)
            }
        }
    }

    // MARK: arrays

    /// Walks the array at the current position. `visit` gets each element's index and must consume
    /// exactly one value (by skipping or reading it).
    package mutating func scanArray(_ visit: (Int, inout JSONScanner) throws(JSONScanError) -> Void) throws(JSONScanError) {
        let bytes = self.bytes
        try withCursor { (cursor) throws(JSONScanError) in
            try cursor.scanArray { (index, element) throws(JSONScanError) in
                var scanner = JSONScanner(bytes, at: bytes.startIndex + element.position)
                try visit(index, &scanner)
                element.move(to: scanner.index - bytes.startIndex)
            }
        }
    }

    // MARK: values

    /// Skips one complete value and returns its byte range (without surrounding whitespace).
    @discardableResult
    package mutating func skipValue() throws(JSONScanError) -> Range<Int> {
        let range = try withCursor { (cursor) throws(JSONScanError) in try cursor.skipValue() }
        return (bytes.startIndex + range.lowerBound)..<(bytes.startIndex + range.upperBound)
    }

    private mutating func skipLiteral(_ word: StaticString) throws(JSONScanError) {
        try withCursor { (cursor) throws(JSONScanError) in try cursor.skipLiteral(word) }
    }

    /// RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    private mutating func skipNumber() throws(JSONScanError) {
        try withCursor { (cursor) throws(JSONScanError) in try cursor.skipNumber() }
    }

    /// Runs `body` over the bytes' memory from the current position and moves to where it stopped.
    /// Skipping works on a raw buffer: slice subscripts would bounds-check every byte twice.
    @inline(__always)
    private mutating func withCursor<R>(_ body: (inout JSONByteCursor) throws(JSONScanError) -> R) throws(JSONScanError) -> R {
        let offset = index - bytes.startIndex
        let (result, end) = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONScanError) in
            var cursor = JSONByteCursor(buffer, at: offset)
            let result = try body(&cursor)
            return (result, cursor.position)
        }
        index = bytes.startIndex + end
        return result
    }

    // MARK: reading

    /// Reads and decodes the string at the current position.
    package mutating func readString() throws(JSONScanError) -> String {
        try withCursor { (cursor) throws(JSONScanError) in try cursor.readString() }
    }

    /// Reads an integer; fractions, exponents and values that do not fit are refused.
    package mutating func readInteger() throws(JSONScanError) -> Int {
        try withCursor { (cursor) throws(JSONScanError) in try cursor.readInteger() }
    }

    /// Reads a number of any form as a Double.
    package mutating func readNumber() throws(JSONScanError) -> Double {
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
    package mutating func readNull() -> Bool {
        skipWhitespace()
        guard peek == UInt8(ascii: "n") else { return false }
        do { try skipLiteral("null") } catch { return false }
        return true
    }

    package mutating func readBool() throws(JSONScanError) -> Bool {
        skipWhitespace()
        if peek == UInt8(ascii: "t") { try skipLiteral("true"); return true }
        if peek == UInt8(ascii: "f") { try skipLiteral("false"); return false }
        throw error("true or false")
    }

    // MARK: helpers

    package static func hexValue(_ b: UInt8) -> UInt16? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Decodes the escapes of a string body that `skipString` already validated. Lone surrogates
    /// become U+FFFD rather than failing: a name with one is still worth delivering.
    package static func unescape<Body: Collection<UInt8>>(_ body: Body) -> String where Body.Index == Int {
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

// MARK: Discord's values

extension JSONScanner {
    /// A snowflake as a string of digits (Discord's form) or a plain non-negative integer.
    package mutating func readSnowflake() throws(JSONScanError) -> UInt64 {
        var asString = self
        if let text = try? asString.readString() {
            guard let value = UInt64(text) else { throw error("a snowflake") }
            self = asString
            return value
        }
        let value = try readInteger()
        guard value >= 0 else { throw error("a snowflake") }
        return UInt64(value)
    }

    /// An array of strings.
    package mutating func readStrings() throws(JSONScanError) -> [String] {
        var out: [String] = []
        try scanArray { (_, s) throws(JSONScanError) in out.append(try s.readString()) }
        return out
    }
}
