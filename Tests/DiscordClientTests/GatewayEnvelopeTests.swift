@testable import DiscordClient
import BotHostCore
import BotHostTestSupport
import Testing

@Suite struct GatewayEnvelopeTests {
    private func scan(_ text: String) throws -> (GatewayEnvelope, [UInt8]) {
        let bytes = Array(text.utf8)
        return (try GatewayEnvelope.scan(bytes), bytes)
    }

    private func dataText(_ envelope: GatewayEnvelope, _ bytes: [UInt8]) -> String? {
        envelope.data.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test func findsOpSequenceEventAndTheExactBytesOfD() throws {
        let (envelope, bytes) = try scan(#"{"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"content":"hi } there","n":[1,2,{"x":null}]}}"#)
        #expect(envelope.op == 0)
        #expect(envelope.sequence == 42)
        #expect(envelope.event == "MESSAGE_CREATE")
        #expect(dataText(envelope, bytes) == #"{"content":"hi } there","n":[1,2,{"x":null}]}"#)
    }

    @Test func dKeepsItsOriginalSpellingWhitespaceAndNumbers() throws {
        let d = "{ \"id\" : \"1234567890123456789\", \"big\": 12345678901234567890123, \"f\": 1.50e+3 , \"u\":\"\\u00e9\\n\" }"
        let (envelope, bytes) = try scan("{\n \"op\" : 0 ,\"s\":\t7, \"t\" : \"X\" , \"d\" : \(d)\n}\n")
        #expect(dataText(envelope, bytes) == d)
    }

    @Test func nonDispatchPayloadsHaveNullOrMissingFields() throws {
        let (hello, helloBytes) = try scan(#"{"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null}"#)
        #expect(hello.op == 10 && hello.sequence == nil && hello.event == nil)
        #expect(try GatewayFields.heartbeatInterval(helloBytes[try #require(hello.data)]) == 41250)

        let (ack, _) = try scan(#"{"op":11}"#)
        #expect(ack == GatewayEnvelope(op: 11, sequence: nil, event: nil, data: nil))

        let (invalid, invalidBytes) = try scan(#"{"op":9,"d":false}"#)
        #expect(dataText(invalid, invalidBytes) == "false")
        #expect(!GatewayFields.resumable(invalidBytes[try #require(invalid.data)]))
        let (resumable, resumableBytes) = try scan(#"{"op":9,"d":true}"#)
        #expect(GatewayFields.resumable(resumableBytes[try #require(resumable.data)]))

        let (nullD, nullBytes) = try scan(#"{"op":7,"d":null}"#)
        #expect(dataText(nullD, nullBytes) == "null")
    }

    @Test func stringsHideBracesQuotesAndEscapes() throws {
        let d = #"{"a":"}\"{[","b":"\\","c":"\\\"","d":"\u007d\ud83d\ude00","e":["]","}"]}"#
        let (envelope, bytes) = try scan(#"{"d":"# + d + #","op":0,"s":1,"t":"T"}"#)
        #expect(dataText(envelope, bytes) == d)
        #expect(envelope.sequence == 1)
    }

    @Test func eventNamesAreDecoded() throws {
        let (envelope, _) = try scan(#"{"op":0,"s":1,"t":"A\u0042\ud83d\ude00\ud800Z","d":{}}"#)
        #expect(envelope.event == "AB😀\u{FFFD}Z")
    }

    @Test func readyFieldsAreFoundAtTheTopLevelOnly() throws {
        let d = Array(#"{"v":10,"user":{"session_id":"nested"},"guilds":[{"id":"1","unavailable":true}],"session_id":"abc\"123","resume_gateway_url":"wss://resume.example","shard":[0,1]}"#.utf8)
        let ready = try ReadyEvent.decode(d[...])
        #expect(ready.sessionID == "abc\"123")
        #expect(ready.resumeURL == "wss://resume.example")
        #expect(ready.userID == nil, "user has no id")
        #expect(try ReadyEvent.decode(Array(#"{"v":10}"#.utf8)[...]) == ReadyEvent())
        #expect(throws: JSONScanError.self) { try ReadyEvent.decode(Array(#"[]"#.utf8)[...]) }
    }

    @Test func readyIsDecodedOnceForEveryConsumer() throws {
        let d = Array(#"{"v":10,"user":{"id":"1001","username":"bot"},"guilds":[{"id":"1","unavailable":true}],"session_id":"x","resume_gateway_url":null,"shard":[0,4],"application":{"id":"1002","flags":0}}"#.utf8)
        #expect(try ReadyEvent.decode(d[...]) == ReadyEvent(sessionID: "x", userID: 1001, applicationID: 1002, shardCount: 4))
        // A member of the wrong shape is left out; the rest is still read.
        let odd = Array(#"{"session_id":"","user":{"id":"bot"},"application":[],"shard":[0],"resume_gateway_url":"wss://r"}"#.utf8)
        #expect(try ReadyEvent.decode(odd[...]) == ReadyEvent(resumeURL: "wss://r"))
    }

    @Test func malformedEnvelopesAreRefused() {
        let bad = [
            "", "{", "[]", "null", #"{"op":"0"}"#, #"{"op":1.5}"#, #"{"op":0,"s":"1"}"#, #"{"d":{}}"#,
            #"{"op":0,"d":{"a":1}"#, #"{"op":0,"d":{"a":1}}x"#, #"{"op":0,"d":{"a" 1}}"#, #"{"op":0,"d":[1,]}"#,
            #"{"op":0,"d":"\x"}"#, "{\"op\":0,\"d\":\"a\u{01}b\"}", #"{"op":0,"d":"\u12G4"}"#, #"{"op":0,"d":01}"#,
            #"{"op":0,"d":tru}"#, #"{"op":0,"d":-}"#, #"{"op":0,"d":1.}"#, #"{"op":0,"d":{"a":1,}}"#, #"{"op":0,,"d":1}"#,
            #"{"op":0 "d":1}"#, #"{op:0}"#, #"{"op":0,"d":"unterminated}"#, #"{"op":0,"d":[}"#, #"{"op":0,"d":{]}"#,
        ]
        for text in bad {
            #expect(throws: JSONScanError.self, "accepted \(text)") { try GatewayEnvelope.scan(Array(text.utf8)) }
        }
    }

    @Test func deepNestingIsRefusedWithoutExhaustingTheStack() {
        let deep = Array((#"{"op":0,"d":"# + String(repeating: "[", count: 200_000)).utf8)
        #expect(throws: JSONScanError.self) { try GatewayEnvelope.scan(deep) }
        let ok = Array((#"{"op":0,"s":1,"t":"X","d":"# + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}").utf8)
        #expect((try? GatewayEnvelope.scan(ok))?.data?.count == 10_000)
    }

    @Test func singleValueCheckForOutgoingData() {
        #expect(GatewayFields.isSingleValue(Array(#" {"since":null,"activities":[],"status":"online","afk":false} "#.utf8)))
        #expect(GatewayFields.isSingleValue(Array("null".utf8)))
        #expect(!GatewayFields.isSingleValue(Array("{} {}".utf8)))
        #expect(!GatewayFields.isSingleValue(Array(#"{"a":}"#.utf8)))
        #expect(!GatewayFields.isSingleValue([]))
    }
}

// MARK: - Fuzzing

@Suite struct GatewayEnvelopeFuzzTests {
    private static let tricky = ["{", "}", "[", "]", "\\\"", "\\\\", ",", ":", "\\u007b", "\\n", "é", "😀", "\\ud83d\\ude00", "\\/", " ", "op", "\\\"d\\\":"]

    private static func whitespace(_ rng: inout SplitMix64) -> String {
        ["", "", "", " ", "\n", "\t ", "\r\n  "].randomElement(using: &rng) ?? ""
    }

    private static func string(_ rng: inout SplitMix64, suffix: String = "") -> String {
        let parts = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
            Bool.random(using: &rng) ? (tricky.randomElement(using: &rng) ?? "") : String(Int.random(in: 0...999, using: &rng))
        }
        return "\"" + parts.joined() + suffix + "\""
    }

    private static func value(_ rng: inout SplitMix64, depth: Int) -> String {
        let w = { (rng: inout SplitMix64) in whitespace(&rng) }
        switch Int.random(in: 0..<(depth > 4 ? 5 : 8), using: &rng) {
        case 0: return "null"
        case 1: return Bool.random(using: &rng) ? "true" : "false"
        case 2: return ["0", "-1", "42", "3.25", "-0.5e-3", "1E+10", "12345678901234567890123"].randomElement(using: &rng) ?? "0"
        case 3, 4: return string(&rng)
        case 5:
            let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ in w(&rng) + value(&rng, depth: depth + 1) + w(&rng) }
            return "[" + items.joined(separator: ",") + (items.isEmpty ? w(&rng) : "") + "]"
        default:
            // Keys stay unique: the strict parser refuses duplicates.
            let members = (0..<Int.random(in: 0...4, using: &rng)).map { i in
                w(&rng) + string(&rng, suffix: "#\(i)") + w(&rng) + ":" + w(&rng) + value(&rng, depth: depth + 1) + w(&rng)
            }
            return "{" + members.joined(separator: ",") + (members.isEmpty ? w(&rng) : "") + "}"
        }
    }

    private struct Case {
        var text: String
        var op: Int
        var sequence: Int?
        var event: String?
        var data: String?
    }

    private static func envelope(_ rng: inout SplitMix64) -> Case {
        let op = Int.random(in: 0...11, using: &rng)
        let sequence: Int? = Bool.random(using: &rng) ? Int.random(in: 1...1_000_000, using: &rng) : nil
        let event: String? = Bool.random(using: &rng) ? ["READY", "MESSAGE_CREATE", "GUILD_CREATE"].randomElement(using: &rng) : nil
        let data: String? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : value(&rng, depth: 0)
        var members = ["\"op\":" + whitespace(&rng) + String(op)]
        members.append("\"s\":" + (sequence.map(String.init) ?? "null"))
        members.append("\"t\":" + (event.map { "\"\($0)\"" } ?? "null"))
        if let data { members.append("\"d\":" + whitespace(&rng) + data) }
        // Extra members Discord might add later must be skipped.
        if Bool.random(using: &rng) { members.append(string(&rng, suffix: "#x") + ":" + value(&rng, depth: 2)) }
        members.shuffle(using: &rng)
        let text = whitespace(&rng) + "{" + members.map { whitespace(&rng) + $0 + whitespace(&rng) }.joined(separator: ",") + "}" + whitespace(&rng)
        return Case(text: text, op: op, sequence: sequence, event: event, data: data)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func generatedEnvelopesScanExactly(seed: UInt64) throws {
        var rng = SplitMix64(state: seed)
        for _ in 0..<300 {
            let c = Self.envelope(&rng)
            let bytes = Array(c.text.utf8)
            // The generator only produces valid JSON; the strict parser confirms it.
            #expect(throws: Never.self, "generator produced invalid JSON: \(c.text)") { try JSONValue.parse(bytes) }
            let envelope = try GatewayEnvelope.scan(bytes)
            #expect(envelope.op == c.op)
            #expect(envelope.sequence == c.sequence)
            #expect(envelope.event == c.event)
            #expect(envelope.data.map { String(decoding: bytes[$0], as: UTF8.self) } == c.data, "in \(c.text)")
        }
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func everyTruncationIsRefused(seed: UInt64) {
        var rng = SplitMix64(state: seed)
        for _ in 0..<40 {
            let bytes = Array(Self.envelope(&rng).text.utf8)
            // Cut before the closing brace: the object can never be complete.
            guard let close = bytes.lastIndex(of: UInt8(ascii: "}")) else { continue }
            for cut in 0..<close {
                #expect(throws: JSONScanError.self) { try GatewayEnvelope.scan(Array(bytes[..<cut])) }
            }
        }
    }

    /// Mutated bytes never crash the scanner, and whenever the strict parser accepts a mutant as
    /// an envelope the scanner reads the same op.
    @Test(arguments: [21, 22, 23, 24] as [UInt64])
    func mutationsNeverCrashAndAgreeWithTheStrictParser(seed: UInt64) {
        var rng = SplitMix64(state: seed)
        let alphabet = Array("{}[]\",:\\ u0123456789abcdefnulltrue-+.eE\u{01}".utf8) + [0xFF, 0xC3]
        for _ in 0..<400 {
            var bytes = Array(Self.envelope(&rng).text.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = alphabet.randomElement(using: &rng) ?? 0
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &rng) ?? 0, at: at)
                }
            }
            let scanned = try? GatewayEnvelope.scan(bytes)
            if let strict = try? JSONValue.parse(bytes), let op = strict["op"]?.numberValue?.int64,
               strict["op"]?.numberValue?.text == String(op),
               strict["s"].map({ $0 == .null || $0.numberValue?.text == $0.numberValue?.int64.map(String.init) }) ?? true,
               strict["t"].map({ $0 == .null || $0.stringValue != nil }) ?? true {
                #expect(scanned?.op == Int(op), "strict parser accepted \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
