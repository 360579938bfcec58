@testable import BotHostJSON
import Testing

/// The scanner's fast paths: strings tested eight bytes at a time and container kinds kept in a
/// bit stack. Each case puts the interesting byte at every position relative to an 8-byte chunk.
@Suite struct JSONByteCursorTests {
    private static let specials: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "\\")] + Array(0..<0x20)

    private func skip(_ text: [UInt8]) throws(JSONScanError) -> Range<Int> {
        var scanner = JSONScanner(text)
        return try scanner.skipValue()
    }

    private func scanString(_ text: [UInt8]) throws(JSONScanError) -> String {
        var scanner = JSONScanner(text)
        return try scanner.readString()
    }

    @Test func everyByteValueInEveryLaneIsClassifiedAsOneAtATime() {
        let filler = UInt64(UInt8(ascii: "a")) * 0x0101_0101_0101_0101
        for lane in 0..<8 {
            for value in 0...255 {
                let shift = UInt64(lane * 8)
                let word = filler & ~(0xFF << shift) | UInt64(value) << shift
                let lanes = JSONByteCursor.attentionLanes(word)
                if JSONByteCursor.needsAttention(UInt8(value)) {
                    #expect(lanes.trailingZeroBitCount / 8 == lane, "byte \(value) in lane \(lane)")
                } else {
                    #expect(lanes == 0, "byte \(value) in lane \(lane)")
                }
            }
        }
    }

    @Test func theFirstSpecialByteWinsOverLaterOnesAndBorrows() {
        // Bytes just above the thresholds (0x20, 0x23, 0x5D) and high bytes sit behind the first
        // special one, where a borrow could mark them too.
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF, UInt8(ascii: "a")]
        for first in 0..<8 {
            for special in Self.specials {
                for follower in plain + Self.specials {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                    bytes[first] = special
                    for later in (first + 1)..<8 { bytes[later] = follower }
                    let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64($1.offset * 8) }
                    #expect(JSONByteCursor.attentionLanes(word).trailingZeroBitCount / 8 == first)
                }
            }
        }
    }

    @Test func escapesAtEveryOffsetAroundChunkBoundaries() throws {
        let escapes: [(text: String, decoded: String)] = [
            (#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\n"#, "\n"), (#"\u00e9"#, "é"), (#"\\\""#, "\\\""),
        ]
        for before in 0..<20 {
            for after in 0..<12 {
                for escape in escapes {
                    let a = String(repeating: "a", count: before), b = String(repeating: "b", count: after)
                    let json = Array(("\"" + a + escape.text + b + "\"").utf8)
                    #expect(try skip(json) == 0..<json.count, "\(before) + \(escape.text) + \(after)")
                    #expect(try scanString(json) == a + escape.decoded + b)
                    // The same string inside a document, with bytes after it that must not be taken.
                    let document = Array(("[" + String(decoding: json, as: UTF8.self) + ",\"x\\\"\"]").utf8)
                    #expect(try skip(document) == 0..<document.count)
                }
            }
        }
    }

    @Test func aBackslashQuoteIsNeverTheEnd() throws {
        // `\"` split across two chunks, at the end of a chunk, and at the end of the input.
        for before in 0..<20 {
            let a = String(repeating: "a", count: before)
            #expect(throws: JSONScanError.self) { try skip(Array(("\"" + a + "\\\"").utf8)) }
            #expect(throws: JSONScanError.self) { try skip(Array(("\"" + a + "\\\"" + a).utf8)) }
            #expect(throws: JSONScanError.self) { try skip(Array(("\"" + a + "\\").utf8)) }
            let closed = Array(("\"" + a + "\\\"\"").utf8)
            #expect(try skip(closed) == 0..<closed.count)
            let even = Array(("\"" + a + "\\\\\"").utf8)
            #expect(try skip(even) == 0..<even.count)
        }
    }

    @Test func unterminatedStringsAreRefusedAtEveryLength() {
        for length in 0..<40 {
            let body = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let open = [UInt8(ascii: "\"")] + body
            #expect(throws: JSONScanError(offset: open.count, expected: "the closing '\"' of a string")) { try skip(open) }
            #expect(throws: JSONScanError.self) { try skip(open + Array(#"\u00"#.utf8)) }
        }
    }

    @Test func controlCharactersAreRefusedWhereTheyAre() throws {
        for before in 0..<20 {
            for control in [0x00, 0x01, 0x0A, 0x1F] as [UInt8] {
                let json = [UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "a"), count: before) + [control]
                    + Array(repeating: UInt8(ascii: "b"), count: 9) + [UInt8(ascii: "\"")]
                #expect(throws: JSONScanError(offset: 1 + before, expected: "no control characters inside a string")) {
                    try skip(json)
                }
            }
            // DEL, a space and bytes above ASCII are ordinary string contents.
            for plain in [0x20, 0x7F, 0xC3, 0xFF] as [UInt8] {
                let json = [UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "a"), count: before) + [plain, UInt8(ascii: "\"")]
                #expect(try skip(json) == 0..<json.count)
            }
        }
    }

    @Test func stringsInsideASliceStopAtTheSliceEnd() {
        // The closing quote lies just past the slice: it must not be seen.
        let bytes = Array(#"x"abcdefghijklmnop""#.utf8)
        for end in 2..<(bytes.count - 1) {
            var scanner = JSONScanner(bytes[1..<end])
            #expect(throws: JSONScanError.self) { try scanner.skipValue() }
        }
        var whole = JSONScanner(bytes[1...])
        #expect((try? whole.skipValue()) == 1..<bytes.count)
    }

    // MARK: nesting

    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    /// Containers of the given kinds (true: object), innermost value `1`, with the closer of
    /// `wrongAt` (a level) swapped for the other kind's.
    private func nested(_ kinds: [Bool], wrongAt: Int? = nil) -> [UInt8] {
        var text = ""
        for isObject in kinds { text += isObject ? #"{"k":"# : "[" }
        text += "1"
        for level in kinds.indices.reversed() {
            let isObject = kinds[level] != (level == wrongAt)
            text += isObject ? "}" : "]"
        }
        return Array(text.utf8)
    }

    @Test(arguments: [1, 63, 64, 65, 127, 128, 129, 200])
    func containerKindsPastSixtyFourLevelsAreRemembered(depth: Int) throws {
        var rng = Generator(state: UInt64(depth))
        for _ in 0..<3 {
            let kinds = (0..<depth).map { _ in Bool.random(using: &rng) }
            let good = nested(kinds)
            #expect(try skip(good) == 0..<good.count)
            for level in 0..<depth {
                #expect(throws: JSONScanError.self, "closer swapped at level \(level) of \(depth)") {
                    try skip(nested(kinds, wrongAt: level))
                }
            }
        }
    }

    @Test func nestingIsAllowedUpToTheLimitAndNoFurther() throws {
        let limit = JSONScanner.maxDepth
        let deepest = Array((String(repeating: "[", count: limit) + "0" + String(repeating: "]", count: limit)).utf8)
        #expect(try skip(deepest) == 0..<deepest.count)
        let tooDeep = Array((String(repeating: "[", count: limit + 1) + "0" + String(repeating: "]", count: limit + 1)).utf8)
        #expect(throws: JSONScanError(offset: limit + 1, expected: "nesting shallower than \(limit)")) { try skip(tooDeep) }
    }
}
