@testable import PluginHost
import DiscordClient
import BotHostCore
import Testing

/// The reading behind the json_* host calls (ABI minor 4): RFC 6901 pointers over a document
/// checked whole, with a distinct failure for each way a read can go wrong.
@Suite struct JSONPointerLookupTests {
    private typealias Lookup = JSONPointerLookup

    /// RFC 6901 section 5's example document.
    private static let rfcDocument = Array(#"""
        {
          "foo": ["bar", "baz"],
          "": 0,
          "a/b": 1,
          "c%d": 2,
          "e^f": 3,
          "g|h": 4,
          "i\\j": 5,
          "k\"l": 6,
          " ": 7,
          "m~n": 8
        }
        """#.utf8)

    private func raw(_ pointer: String, _ document: [UInt8] = rfcDocument) throws(Lookup.Failure) -> String {
        String(decoding: document[try Lookup.locate(Array(pointer.utf8), in: document)], as: UTF8.self)
    }

    private func failure(_ read: () throws(Lookup.Failure) -> Void) -> Lookup.Failure? {
        do {
            try read()
            return nil
        } catch {
            return error
        }
    }

    @Test func theRFCExamplesResolveAsTheRFCSays() throws {
        #expect(try raw("").hasPrefix("{") && raw("").hasSuffix("}"))
        #expect(try raw("/foo") == #"["bar", "baz"]"#)
        #expect(try raw("/foo/0") == #""bar""#)
        #expect(try raw("/") == "0")
        #expect(try raw("/a~1b") == "1")
        #expect(try raw("/c%d") == "2")
        #expect(try raw("/e^f") == "3")
        #expect(try raw("/g|h") == "4")
        #expect(try raw(#"/i\j"#) == "5")
        #expect(try raw(#"/k"l"#) == "6")
        #expect(try raw("/ ") == "7")
        #expect(try raw("/m~0n") == "8")
    }

    @Test func tildeEscapesDecodeInOrderSoThatTilde01IsNotASlash() throws {
        let document = Array(#"{"~1": "tilde-one", "/": "slash", "~": "tilde"}"#.utf8)
        #expect(try raw("/~01", document) == #""tilde-one""#)
        #expect(try raw("/~1", document) == #""slash""#)
        #expect(try raw("/~0", document) == #""tilde""#)
    }

    @Test func typedReads() throws {
        let document = Array(#"""
            {"s": "caf\u00e9 \"q\" \/", "i": -9223372036854775808, "max": 9223372036854775807, "d": 1.5e2,
             "t": true, "f": false, "n": null, "a": [1, [2, 3], {"x": []}], "o": {"k": "v"}}
            """#.utf8)
        func pointer(_ text: String) -> [UInt8] { Array(text.utf8) }
        #expect(try Lookup.string(at: pointer("/s"), in: document) == Array("café \"q\" /".utf8))
        #expect(try Lookup.int64(at: pointer("/i"), in: document) == Int64.min)
        #expect(try Lookup.int64(at: pointer("/max"), in: document) == Int64.max)
        #expect(try Lookup.double(at: pointer("/d"), in: document) == 150)
        #expect(try Lookup.double(at: pointer("/max"), in: document) == 9.223372036854775807e18)
        #expect(try Lookup.bool(at: pointer("/t"), in: document) == true)
        #expect(try Lookup.bool(at: pointer("/f"), in: document) == false)
        #expect(try Lookup.arrayLength(at: pointer("/a"), in: document) == 3)
        #expect(try Lookup.arrayLength(at: pointer("/a/1"), in: document) == 2)
        #expect(try Lookup.arrayLength(at: pointer("/a/2/x"), in: document) == 0)
        #expect(try Lookup.int64(at: pointer("/a/1/1"), in: document) == 3)
        #expect(try raw("/o", document) == #"{"k": "v"}"#)
        // A NUL inside a string is kept (the length counts past it); a lone surrogate becomes U+FFFD.
        let odd = Array(#"{"nul": "a\u0000b", "lone": "\ud800x", "pair": "\ud83d\ude00"}"#.utf8)
        #expect(try Lookup.string(at: pointer("/nul"), in: odd) == [0x61, 0x00, 0x62])
        #expect(try Lookup.string(at: pointer("/lone"), in: odd) == Array("\u{FFFD}x".utf8))
        #expect(try Lookup.string(at: pointer("/pair"), in: odd) == Array("\u{1F600}".utf8))
        #expect(try raw("/s", document) == #""caf\u00e9 \"q\" \/""#)
    }

    @Test func aValueOfAnotherTypeIsWrongTypeNotMissing() {
        let document = Array(#"{"s": "7", "frac": 1.5, "exp": 1e3, "big": 9223372036854775808, "huge": 1e400, "n": null, "o": {}, "a": []}"#.utf8)
        func wrongType(_ read: () throws(Lookup.Failure) -> Void) -> Bool {
            if case .wrongType = failure(read) { return true }
            return false
        }
        func p(_ text: String) -> [UInt8] { Array(text.utf8) }
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.int64(at: p("/s"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.int64(at: p("/frac"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.int64(at: p("/exp"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.int64(at: p("/big"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.int64(at: p("/n"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.double(at: p("/huge"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.double(at: p("/s"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.string(at: p("/frac"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.string(at: p("/n"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.bool(at: p("/n"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.arrayLength(at: p("/o"), in: document) })
        #expect(wrongType { () throws(Lookup.Failure) in _ = try Lookup.string(at: p(""), in: document) })
        // The message names the place and what is there.
        if case .wrongType(let detail) = failure({ () throws(Lookup.Failure) in _ = try Lookup.int64(at: p("/frac"), in: document) }) {
            #expect(detail.contains("\"/frac\"") && detail.contains("1.5"), "\(detail)")
        }
    }

    @Test func nothingThereIsNotFound() {
        let document = Array(#"{"a": [10, 20], "s": "text", "n": null}"#.utf8)
        for pointer in ["/missing", "/a/2", "/a/-", "/a/01", "/a/x", "/a/", "/s/0", "/n/x", "/a/0/0", "/A"] {
            guard case .notFound = failure({ () throws(Lookup.Failure) in _ = try raw(pointer, document) }) else {
                Issue.record("\(pointer) should be not found: \(String(describing: failure { () throws(Lookup.Failure) in _ = try raw(pointer, document) }))")
                continue
            }
        }
        if case .notFound(let detail) = failure({ () throws(Lookup.Failure) in _ = try raw("/a/2", document) }) {
            #expect(detail.contains("2 elements"), "\(detail)")
        }
    }

    @Test func aBadPointerIsItsOwnFailure() {
        let document = Array(#"{"a": 1}"#.utf8)
        for pointer in ["a", "/a~", "/a~2", "~1", " /a"] {
            guard case .badPointer = failure({ () throws(Lookup.Failure) in _ = try raw(pointer, document) }) else {
                Issue.record("\(pointer) should be a bad pointer")
                continue
            }
        }
        guard case .badPointer = failure({ () throws(Lookup.Failure) in _ = try Lookup.locate([UInt8(ascii: "/"), 0xFF], in: document) }) else {
            Issue.record("a pointer that is not UTF-8 should be a bad pointer")
            return
        }
    }

    @Test func malformedJSONFailsWhateverThePointer() {
        let documents = [#"{"a": 1"#, #"{"a": 1} x"#, #"{"a": 1,}"#, "", "   ", #"{'a': 1}"#, #"{"a": 01}"#, "[1 2]"]
        for text in documents {
            for pointer in ["", "/a", "/zzz"] {
                guard case .malformedJSON = failure({ () throws(Lookup.Failure) in _ = try raw(pointer, Array(text.utf8)) }) else {
                    Issue.record("\(text) at \(pointer) should be malformed")
                    continue
                }
            }
        }
        // Invalid UTF-8 inside a string, even far from the value read.
        let notUTF8: [UInt8] = Array(#"{"a": 1, "b": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        guard case .malformedJSON = failure({ () throws(Lookup.Failure) in _ = try raw("/a", notUTF8) }) else {
            Issue.record("invalid UTF-8 should be malformed JSON")
            return
        }
    }

    @Test func namesCompareAsBytesAndTheLastDuplicateWins() throws {
        // "é" precomposed and decomposed are different names to a JSON Pointer.
        let document = Array("{\"e\u{301}\": 1, \"\u{e9}\": 2, \"dup\": 1, \"dup\": 2}".utf8)
        #expect(try raw("/\u{e9}", document) == "2")
        #expect(try raw("/e\u{301}", document) == "1")
        #expect(try raw("/dup", document) == "2")
        // An escaped name matches its decoded form.
        #expect(try raw("/x", Array(#"{"\u0078": true}"#.utf8)) == "true")
    }
}
