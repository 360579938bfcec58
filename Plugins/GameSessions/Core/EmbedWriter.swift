/// Writes one Discord embed straight into JSON bytes, within Discord's limits.
///
/// Rendering runs for every changed session of every poll (10,000 sessions must take well under
/// 20 ms), so there are no intermediate Strings: texts go from the feed's UTF-8 into the output
/// with JSON escaping, markdown escaping where they are shown as markdown, and control characters
/// turned into spaces. Each text member has a limit in code points, as Discord counts them; a text
/// that does not fit is cut and ends in "…". Members come in a fixed order (fields last, so that
/// the 6000-character total can be kept by the fields), which also makes the bytes — and their
/// hash — the same in every run.
public struct EmbedWriter {
    /// How a piece of feed text is shown.
    public enum Style: Sendable {
        /// Places markdown does not reach (titles, field names, the footer).
        case line
        /// Inside markdown: formatting characters are escaped so names cannot format the message.
        case markdown
        /// Inside an inline code span: a backtick would end it, so it becomes an apostrophe.
        case code
    }

    /// Where the JSON goes: scratch memory owned by `render`, `count` bytes of it written.
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private var count = 0
    /// Set if the scratch memory ran out (it cannot by construction; `render` then gives a placeholder).
    private var overflowed = false
    /// How many texts were cut (or left out) because their member ran out of room — not those
    /// cut to their own limit (a long player name), which is how they are meant to look.
    public private(set) var cuts = 0
    /// Code points counted toward Discord's 6000 total so far.
    public private(set) var total = 0
    private var members = 0
    private var fields = 0
    /// Code points still allowed in the text being written.
    private var remaining = 0
    private var textStart = 0
    /// The escape tables, read once per embed: each read of a static is a call on Linux.
    private let tables = EscapeTables.shared

    /// Every text is capped, so an embed fits here: 6000 counted code points of at most 4 bytes
    /// (escapes included), the thumbnail URL (2048) and the JSON around them.
    public static let scratchBytes = 32 * 1024

    /// Renders one embed: `body` writes its members into scratch memory, and the JSON is copied
    /// out once.
    public static func render(_ body: (inout EmbedWriter) -> Void) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scratchBytes) { buffer in
            guard let count = write(into: buffer, body) else { return placeholder }
            return Array(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The stable hash of the embed `body` writes, rendered into `scratch` (at least
    /// `scratchBytes`): a poll hashes every changed session, and needs no copy of the JSON for it.
    public static func hash(scratch: UnsafeMutableBufferPointer<UInt8>, _ body: (inout EmbedWriter) -> Void) -> UInt64 {
        guard let count = write(into: scratch, body) else { return StableHash.of(placeholder) }
        return StableHash.of(UnsafeBufferPointer(rebasing: scratch[0..<count]))
    }

    /// What an embed that overflowed the scratch memory shows instead (it cannot happen: every
    /// text is capped).
    private static let placeholder = Array(#"{"description":"(this session could not be shown)"}"#.utf8)

    /// Writes the embed; the number of bytes, or nil if the scratch memory ran out.
    private static func write(into buffer: UnsafeMutableBufferPointer<UInt8>, _ body: (inout EmbedWriter) -> Void) -> Int? {
        var writer = EmbedWriter(buffer: buffer)
        writer.put(UInt8(ascii: "{"))
        body(&writer)
        if writer.fields > 0 { writer.put(UInt8(ascii: "]")) }
        writer.put(UInt8(ascii: "}"))
        return writer.overflowed ? nil : writer.count
    }

    private init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        guard count < buffer.count else {
            overflowed = true
            return
        }
        buffer[count] = byte
        count += 1
    }

    @inline(__always)
    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, let target = buffer.baseAddress, count + bytes.count <= buffer.count else {
            if !bytes.isEmpty { overflowed = true }
            return
        }
        (target + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    // MARK: members (before the fields)

    public mutating func beginTitle() { beginText("\"title\":", limit: EmbedLimits.title) }
    public mutating func beginDescription() { beginText("\"description\":", limit: EmbedLimits.description) }
    public mutating func beginFooter() { beginText("\"footer\":{\"text\":", limit: 256) }

    /// Ends the title or description.
    public mutating func endText() {
        finishText()
    }

    public mutating func endFooter() {
        finishText()
        put(UInt8(ascii: "}"))
    }

    public mutating func color(_ value: Int) {
        memberPrefix()
        append("\"color\":")
        appendNumber(value)
    }

    /// `url` must already be a checked http(s) URL (see `EmbedURL`): it is written as it is.
    public mutating func thumbnail(_ url: String) {
        memberPrefix()
        append("\"thumbnail\":{\"url\":\"")
        var url = url
        url.withUTF8 { put($0) }
        append("\"}")
    }

    /// Unix ms, written as ISO 8601 (Discord shows it beside the footer).
    public mutating func timestamp(_ milliseconds: Int64) {
        memberPrefix()
        append("\"timestamp\":\"")
        let (year, month, day, hour, minute, second, millis) = CivilDate.parts(milliseconds: milliseconds)
        putDigits(year, 4)
        put(UInt8(ascii: "-"))
        putDigits(month, 2)
        put(UInt8(ascii: "-"))
        putDigits(day, 2)
        put(UInt8(ascii: "T"))
        putDigits(hour, 2)
        put(UInt8(ascii: ":"))
        putDigits(minute, 2)
        put(UInt8(ascii: ":"))
        putDigits(second, 2)
        put(UInt8(ascii: "."))
        putDigits(millis, 3)
        put(UInt8(ascii: "Z"))
        append("\"")
    }

    // MARK: fields (after every other member)

    /// Starts a field; its value follows with the `add…` calls and ends with `endField`.
    public mutating func beginField(_ name: StaticString, inline: Bool = true) {
        beginFieldName()
        append(name)
        total += name.utf8CodeUnitCount  // field names given here are ASCII
        append("\",\"inline\":")
        append(inline ? "true" : "false")
        append(",\"value\":")
        startText(limit: min(EmbedLimits.fieldValue, max(1, EmbedLimits.total - total)))
    }

    /// Starts a field named "<prefix><count>)" ("Lobby (12)").
    public mutating func beginField(_ prefix: StaticString, inline: Bool, count: Int) {
        beginFieldName()
        let start = count
        append(prefix)
        appendNumber(count)
        put(UInt8(ascii: ")"))
        total += count - start  // ASCII
        append("\",\"inline\":")
        append(inline ? "true" : "false")
        append(",\"value\":")
        startText(limit: min(EmbedLimits.fieldValue, max(1, EmbedLimits.total - total)))
    }

    /// Starts a field whose name is feed text (summary mode), with a value of at most `valueLimit`.
    public mutating func beginField(name: (inout EmbedWriter) -> Void, nameLimit: Int, valueLimit: Int, inline: Bool = false) {
        beginFieldName()
        remaining = min(nameLimit, EmbedLimits.fieldName)
        textStart = count
        name(&self)
        if count == textStart { put(0xE2); put(0x80); put(0x8B) }  // a zero-width space: names are required
        total += min(nameLimit, EmbedLimits.fieldName) - remaining
        append("\",\"inline\":")
        append(inline ? "true" : "false")
        append(",\"value\":")
        startText(limit: min(valueLimit, EmbedLimits.fieldValue, max(1, EmbedLimits.total - total)))
    }

    public mutating func endField() {
        finishText()
        put(UInt8(ascii: "}"))
    }

    private mutating func beginFieldName() {
        if fields == 0 {
            memberPrefix()
            append("\"fields\":[")
        } else {
            put(UInt8(ascii: ","))
        }
        fields += 1
        append("{\"name\":\"")
    }

    // MARK: text pieces

    /// Code points the current text may still take.
    public var room: Int { remaining }
    /// Where the current text's bytes are, for `rollBack`.
    public var mark: Int { count }

    /// Removes what was written after `mark` (a line that turned out not to fit), giving its room back.
    public mutating func rollBack(to mark: Int, room: Int) {
        count = mark
        remaining = room
    }

    /// ASCII known not to need escaping ("/", "**", "](" …); left out whole when it does not fit.
    public mutating func add(_ literal: StaticString) {
        let length = literal.utf8CodeUnitCount  // ASCII only: bytes are code points
        guard length <= remaining else {
            cuts += 1
            return
        }
        append(literal)
        remaining -= length
    }

    /// ASCII the caller checked needs no escape in any style (a map uid's hex digits); left out
    /// whole when it does not fit, like a literal.
    public mutating func addCheckedASCII(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= remaining else {
            cuts += 1
            return
        }
        put(bytes)
        remaining -= bytes.count
    }

    /// A line break (written as JSON's \\n).
    public mutating func addNewline() {
        guard remaining >= 1 else {
            cuts += 1
            return
        }
        append("\\n")
        remaining -= 1
    }

    /// Text written by the plugin itself (no markdown to escape); counted in code points.
    public mutating func addLiteral(_ text: String) {
        add(text, .line, limit: Int.max)
    }

    public mutating func add(_ number: Int) {
        let start = count
        appendNumber(number)
        let length = count - start
        if length > remaining {
            count = start
            cuts += 1
        } else {
            remaining -= length
        }
    }

    /// Feed text, cut to `limit` code points (and to what the member has left), "…" when cut.
    public mutating func add(_ text: String, _ style: Style, limit: Int) {
        let allowed = min(limit, remaining)
        guard allowed > 0 else {
            if !text.isEmpty { cuts += 1 }
            return
        }
        // Native strings are contiguous UTF-8 already; only a bridged one needs a copy.
        if let done = text.utf8.withContiguousStorageIfAvailable({ add($0, style, allowed: allowed, limit: limit) }) {
            return done
        }
        var copy = text
        copy.withUTF8 { add($0, style, allowed: allowed, limit: limit) }
    }

    private mutating func add(_ utf8: UnsafeBufferPointer<UInt8>, _ style: Style, allowed: Int, limit: Int) {
        let table = tables.table(style)
        guard let source = utf8.baseAddress, let target = buffer.baseAddress, count + utf8.count <= buffer.count else {
            if !utf8.isEmpty { writeSlowly(utf8, style, allowed: allowed, roomBound: allowed < limit) }
            return
        }
        // One pass that copies while it counts code points and looks for bytes to escape: most
        // texts need no escape and fit, and are then already in place.
        let output = target + count
        var points = 0
        var special: UInt8 = 0
        for index in 0..<utf8.count {
            let byte = source[index]
            output[index] = byte
            points &+= byte & 0xC0 == 0x80 ? 0 : 1
            special |= table[Int(byte)]
        }
        if special == 0 && points <= allowed {
            count += utf8.count
            remaining -= points
        } else {
            writeSlowly(utf8, style, allowed: allowed, roomBound: allowed < limit)
        }
    }

    /// Escapes as it goes and cuts at the last code point that leaves room for "…".
    private mutating func writeSlowly(_ utf8: UnsafeBufferPointer<UInt8>, _ style: Style, allowed: Int, roomBound: Bool) {
        // What the whole text costs, escapes included: does it fit without a cut?
        var cost = 0
        for byte in utf8 where byte & 0xC0 != 0x80 {
            cost += style == .markdown && Self.isMarkdown(byte) ? 2 : 1
        }
        if cost <= allowed {
            writeEscaped(utf8, style)
            remaining -= cost
            return
        }
        let budget = allowed - 1  // keep one for "…"
        var used = 0
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            let width = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
            let extra = style == .markdown && Self.isMarkdown(byte) ? 1 : 0
            guard used + 1 + extra <= budget else { break }
            used += 1 + extra
            if byte < 0x20 || byte == 0x7F {
                put(UInt8(ascii: " "))
            } else if byte < 0x80 {
                if extra == 1 { append("\\\\") }  // a markdown backslash, escaped for JSON
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { put(UInt8(ascii: "\\")) }
                put(style == .code && byte == UInt8(ascii: "`") ? UInt8(ascii: "'") : byte)
            } else {
                let end = min(utf8.count, index + width)
                put(UnsafeBufferPointer(rebasing: utf8[index..<end]))
            }
            index += width
        }
        if cost > allowed {
            if roomBound { cuts += 1 }
            // Dropping a dangling zero-width joiner or variation selector keeps emoji whole.
            while let last = lastScalarBytes(), last == [0xE2, 0x80, 0x8D] || last == [0xEF, 0xB8, 0x8F] {
                count -= 3
                used -= 1
            }
            put(0xE2); put(0x80); put(0xA6)  // …
            used += 1
        }
        remaining -= used
    }

    /// The whole text with its escapes: runs of plain bytes are copied at once.
    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, _ style: Style) {
        let table = tables.table(style)
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard table[Int(byte)] != 0 else { continue }
            if runStart < index { put(UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            runStart = index + 1
            if byte < 0x20 || byte == 0x7F {
                put(UInt8(ascii: " "))
                continue
            }
            if style == .markdown && Self.isMarkdown(byte) { append("\\\\") }  // a markdown backslash, escaped for JSON
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { put(UInt8(ascii: "\\")) }
            put(style == .code && byte == UInt8(ascii: "`") ? UInt8(ascii: "'") : byte)
        }
        if runStart < utf8.count { put(UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])) }
    }

    private func lastScalarBytes() -> [UInt8]? {
        guard count >= textStart + 3 else { return nil }
        return [buffer[count - 3], buffer[count - 2], buffer[count - 1]]
    }

    /// Characters Discord's markdown gives meaning to (emphasis, code, quotes, links, headings,
    /// spoilers, mentions and timestamps).
    @inline(__always)
    static func isMarkdown(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "`"), UInt8(ascii: "|"),
             UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "#"), UInt8(ascii: "<"): true
        default: false
        }
    }

    // MARK: plumbing

    private mutating func beginText(_ key: StaticString, limit: Int) {
        memberPrefix()
        append(key)
        startText(limit: limit)
    }

    private mutating func startText(limit: Int) {
        put(UInt8(ascii: "\""))
        remaining = limit
        textStart = count
        pendingLimit = limit
    }

    private var pendingLimit = 0

    private mutating func finishText() {
        if count == textStart {
            put(0xE2); put(0x80); put(0x8B)  // Discord requires field values: a zero-width space
            remaining -= 1
        }
        total += pendingLimit - remaining
        put(UInt8(ascii: "\""))
    }

    private mutating func memberPrefix() {
        if members > 0 { put(UInt8(ascii: ",")) }
        members += 1
    }

    @inline(__always)
    private mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { put($0) }
    }

    /// `value` in exactly `width` digits (its last `width`), written from the right: a division
    /// by a constant is a multiply, one by a variable divisor is not.
    private mutating func putDigits(_ value: Int, _ width: Int) {
        guard count + width <= buffer.count else {
            overflowed = true
            return
        }
        var rest = value
        var index = count + width
        while index > count {
            index -= 1
            buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += width
    }

    private mutating func appendNumber(_ value: Int) {
        guard value >= 0 else {
            put(UInt8(ascii: "-"))
            appendNumber(value == Int.min ? Int.max : -value)
            return
        }
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        putDigits(value, digits)
    }
}

/// The tables of the three styles: 1 for the bytes that need escaping in a style: JSON's quote and
/// backslash, control characters and DEL everywhere; markdown's characters in markdown; the
/// backtick in code.
private struct EscapeTables: @unchecked Sendable {  // read-only tables that live as long as the process
    static let shared = EscapeTables()

    let line = EscapeTable("\"\\").table
    let markdown = EscapeTable("\"\\*_~`|>[]#<").table
    let code = EscapeTable("\"\\`").table

    @inline(__always)
    func table(_ style: EmbedWriter.Style) -> UnsafeBufferPointer<UInt8> {
        switch style {
        case .line: line
        case .markdown: markdown
        case .code: code
        }
    }
}

/// A 256-entry table marking bytes, made once: checking a byte is a load, not a chain of compares.
/// Written only in `init` and never freed (the tables are static), so sharing it is safe.
private final class EscapeTable: @unchecked Sendable {
    let table: UnsafeBufferPointer<UInt8>

    init(_ special: String) {
        let table = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0)
        for byte in 0..<0x20 { table[byte] = 1 }
        table[0x7F] = 1
        for byte in special.utf8 { table[Int(byte)] = 1 }
        self.table = UnsafeBufferPointer(table)  // lives as long as the process (static tables)
    }
}
