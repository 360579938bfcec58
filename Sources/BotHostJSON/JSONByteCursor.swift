/// A position in the scanned bytes' memory, where `JSONScanner` skips values and where
/// `GatewayEnvelope` reads a whole payload in one pass (no slice retained per call). Every read is
/// guarded by an explicit bound, so release builds need no per-byte checks of their own; debug
/// builds still check each subscript. Positions and error offsets count from the buffer's start.
package struct JSONByteCursor {
    package let bytes: UnsafeBufferPointer<UInt8>
    package private(set) var position: Int

    package init(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) {
        self.bytes = bytes
        self.position = position
    }

    /// Continues from `position` (a value consumed by another reader of the same bytes).
    package mutating func move(to position: Int) {
        self.position = min(max(position, self.position), bytes.count)
    }

    private func error(_ expected: String) -> JSONScanError {
        JSONScanError(offset: position, expected: expected)
    }

    @inline(__always)
    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    @inline(__always)
    package mutating func skipWhitespace() {
        while position < bytes.count {
            let b = bytes[position]
            // One comparison settles the usual case, a structural byte or a value.
            guard b <= 0x20, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            position += 1
        }
    }

    // MARK: values

    /// Skips one complete value and returns its range (without surrounding whitespace).
    package mutating func skipValue() throws(JSONScanError) -> Range<Int> {
        skipWhitespace()
        let start = position
        var open = ContainerStack()
        nextValue: while true {
            skipWhitespace()
            guard let b = peek else { throw error("a value") }
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                position += 1
                let isObject = b == UInt8(ascii: "{")
                skipWhitespace()
                if peek == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                } else {
                    guard open.depth < JSONScanner.maxDepth else {
                        throw error("nesting shallower than \(JSONScanner.maxDepth)")
                    }
                    open.push(isObject: isObject)
                    if isObject { try skipMemberName() }
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
            while !open.isEmpty {
                let inObject = open.topIsObject
                let closer = inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                skipWhitespace()
                guard let c = peek else { throw error(inObject ? "',' or '}'" : "',' or ']'") }
                if c == UInt8(ascii: ",") {
                    position += 1
                    if inObject { try skipMemberName() }
                    continue nextValue
                }
                guard c == closer else { throw error(inObject ? "',' or '}'" : "',' or ']'") }
                position += 1
                open.pop()
            }
            return start..<position
        }
    }

    @inline(__always)
    private mutating func skipMemberName() throws(JSONScanError) {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw error("a member name") }
        _ = try skipString()
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw error("':' after a member name") }
        position += 1
    }

    @inline(__always)
    package mutating func skipLiteral(_ word: StaticString) throws(JSONScanError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw error("'\(word)'") }
        let literal = word.utf8Start
        for k in 0..<count where bytes[position + k] != literal[k] { throw error("'\(word)'") }
        position += count
    }

    private mutating func skipDigits() throws(JSONScanError) {
        guard let b = peek, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { throw error("a digit") }
        position += 1
        while let d = peek, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") { position += 1 }
    }

    /// RFC 8259 number grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    package mutating func skipNumber() throws(JSONScanError) {
        if peek == UInt8(ascii: "-") { position += 1 }
        if peek == UInt8(ascii: "0") { position += 1 } else { try skipDigits() }
        if peek == UInt8(ascii: ".") { position += 1; try skipDigits() }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            try skipDigits()
        }
    }

    // MARK: objects and reading

    package mutating func expect(_ byte: UInt8, _ what: String) throws(JSONScanError) {
        skipWhitespace()
        guard peek == byte else { throw error(what) }
        position += 1
    }

    /// Fails unless only whitespace remains.
    package mutating func expectEnd() throws(JSONScanError) {
        skipWhitespace()
        guard position == bytes.count else { throw error("the end of the document") }
    }

    /// Walks the object at the current position. `visit` gets each key and must consume exactly one
    /// value (by skipping or reading it).
    package mutating func scanObject(_ visit: (String, inout JSONByteCursor) throws(JSONScanError) -> Void) throws(JSONScanError) {
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if peek == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw error("a member name") }
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            skipWhitespace()
            let before = position
            try visit(key, &self)
            guard position > before else { throw error("the member's value to be consumed") }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw error("',' or '}' after an object member")
            }
        }
    }

    /// Walks the array at the current position. `visit` gets each element's index and must consume
    /// exactly one value (by skipping or reading it).
    package mutating func scanArray(_ visit: (Int, inout JSONByteCursor) throws(JSONScanError) -> Void) throws(JSONScanError) {
        try expect(UInt8(ascii: "["), "'['")
        skipWhitespace()
        if peek == UInt8(ascii: "]") { position += 1; return }
        var index = 0
        while true {
            skipWhitespace()
            let before = position
            try visit(index, &self)
            guard position > before else { throw error("the element to be consumed") }
            index += 1
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return
            default: throw error("',' or ']' after an array element")
            }
        }
    }

    /// Reads and decodes the string at the current position.
    package mutating func readString() throws(JSONScanError) -> String {
        let start = position
        let escaped = try skipString()
        let body = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
        return escaped ? JSONScanner.unescape(body) : String(decoding: body, as: UTF8.self)
    }

    /// Reads an integer; fractions, exponents and values that do not fit are refused.
    package mutating func readInteger() throws(JSONScanError) -> Int {
        skipWhitespace()
        let start = position
        try skipNumber()
        guard let value = Self.integer(bytes[start..<position]) else {
            position = start
            throw error("an integer")
        }
        return value
    }

    /// The value of `-?[0-9]+` (already checked by skipNumber) when it has no fraction or exponent
    /// and fits. Digits accumulate below zero, so Int.min fits too.
    private static func integer(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        let negative = text.first == UInt8(ascii: "-")
        var value = 0
        for b in text.dropFirst(negative ? 1 : 0) {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (scaled, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = scaled.subtractingReportingOverflow(Int(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// Consumes `null` if it is next.
    package mutating func readNull() -> Bool {
        skipWhitespace()
        guard bytes.count - position >= 4, bytes[position] == UInt8(ascii: "n"),
              bytes[position + 1] == UInt8(ascii: "u"), bytes[position + 2] == UInt8(ascii: "l"),
              bytes[position + 3] == UInt8(ascii: "l") else { return false }
        position += 4
        return true
    }

    // MARK: strings

    /// Skips the string at the current position (which must be a quote); returns whether it held
    /// escapes.
    @inline(__always)
    package mutating func skipString() throws(JSONScanError) -> Bool {
        guard peek == UInt8(ascii: "\"") else { throw error("'\"'") }
        position += 1
        var escaped = false
        while let b = nextAttentionByte() {
            position += 1
            switch b {
            case UInt8(ascii: "\""): return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                guard let e = peek else { throw error("an escape") }
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let h = peek, JSONScanner.hexValue(h) != nil else { throw error("four hex digits after \\u") }
                        position += 1
                    }
                default:
                    position -= 1
                    throw error("a valid escape")
                }
            default:
                // Only a control character is left: nextAttentionByte stops at nothing else.
                position -= 1
                throw error("no control characters inside a string")
            }
        }
        throw error("the closing '\"' of a string")
    }

    /// Moves to the next quote, backslash or control character and returns it (nil at the end).
    /// Most of a dispatch's bytes are string contents, so they are tested eight at a time, and
    /// the byte found comes out of the loaded word rather than a second load.
    @inline(__always)
    package mutating func nextAttentionByte() -> UInt8? {
        var i = position
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while bytes.count - i >= 8 {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let found = Self.attentionLanes(word)
                if found != 0 {
                    let shift = UInt64(found.trailingZeroBitCount) & ~7
                    position = i + Int(shift / 8)
                    return UInt8(truncatingIfNeeded: word >> shift)
                }
                i += 8
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if Self.needsAttention(b) {
                position = i
                return b
            }
            i += 1
        }
        position = i
        return nil
    }

    @inline(__always)
    package static func needsAttention(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20
    }

    /// For eight bytes loaded little-endian (first byte lowest): the top bit of each byte lane
    /// that holds a quote, a backslash or a control character. Borrows can also mark lanes above
    /// a real one, never below, so the lowest marked lane is always the first such byte.
    @inline(__always)
    package static func attentionLanes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        // A lane is zero (or below 0x20) exactly when subtracting wraps it while its top bit was clear.
        let quotes = (quote &- ones) & ~quote
        let backslashes = (backslash &- ones) & ~backslash
        let controls = (word &- ones &* 0x20) & ~word
        return (quotes | backslashes | controls) & (ones &* 0x80)
    }
}

/// The kinds of the containers a skip is inside, one bit per level (set for an object). The first
/// 64 levels fit in a word; deeper ones, which real payloads never reach, go to a heap bitset.
package struct ContainerStack {
    private var near: UInt64 = 0
    private var deep: [UInt64] = []
    package private(set) var depth = 0

    package var isEmpty: Bool { depth == 0 }

    @inline(__always)
    package mutating func push(isObject: Bool) {
        let bit: UInt64 = isObject ? 1 : 0
        if depth < 64 {
            near = near & ~(1 << UInt64(depth)) | bit << UInt64(depth)
        } else {
            let level = depth - 64
            if level / 64 == deep.count { deep.append(0) }
            let shift = UInt64(level % 64)
            deep[level / 64] = deep[level / 64] & ~(1 << shift) | bit << shift
        }
        depth += 1
    }

    /// Call only when not empty.
    @inline(__always)
    package mutating func pop() { depth -= 1 }

    /// Whether the innermost container is an object. Call only when not empty.
    @inline(__always)
    package var topIsObject: Bool {
        let level = depth - 1
        if level < 64 { return near >> UInt64(level) & 1 == 1 }
        return deep[(level - 64) / 64] >> UInt64((level - 64) % 64) & 1 == 1
    }
}
