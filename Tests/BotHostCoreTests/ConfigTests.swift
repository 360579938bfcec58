@testable import BotHostCore
import BotHostTestSupport
import Foundation
import Testing

private func scratchFolder() throws -> URL {
    TestScratch.directory("config")
}

/// Parses `text` as plugins.json named "plugins.json" and returns the error it must raise.
private func configError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
    do {
        _ = try PluginsFileLoader.parse(Array(text.utf8), file: "plugins.json")
        Issue.record("expected a ConfigError for \(text)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func syntaxError(_ text: String) -> JSONSyntaxError? {
    do {
        _ = try JSONValue.parse(text)
        return nil
    } catch {
        return error
    }
}

/// Everything under Sources/BotHost/Config (run with `swift test --filter ConfigTests`).
@Suite struct ConfigTests {}

extension ConfigTests {
    @Suite struct Parser {
        @Test func parsesNestedDocumentsKeepingKeyOrder() throws {
            let value = try JSONValue.parse(#" {"z": 1, "a": [true, false, null, "x"], "m": {"k": -2.5e3}} "#)
            let object = try #require(value.objectValue)
            #expect(object.keys == ["z", "a", "m"])
            #expect(value["a"] == .array([.bool(true), .bool(false), .null, .string("x")]))
            #expect(value["m"]?["k"]?.numberValue?.double == -2500)
            #expect(value.compactText == #"{"z":1,"a":[true,false,null,"x"],"m":{"k":-2.5e3}}"#)
        }

        @Test func bigIntegersStayExact() throws {
            let value = try JSONValue.parse("[123456789012345678, 18446744073709551615, 99999999999999999999999]")
            let items = try #require(value.arrayValue)
            #expect(items[0].numberValue?.int64 == 123_456_789_012_345_678)
            #expect(items[1].numberValue?.uint64 == UInt64.max)
            // Beyond every integer type the text still round-trips digit for digit.
            #expect(value.compactText == "[123456789012345678,18446744073709551615,99999999999999999999999]")
            #expect(items[0].numberValue?.int64 != Int64(Double(123_456_789_012_345_678)))
        }

        @Test func idsAreReadAsNumbersOrDigitStrings() throws {
            let value = try JSONValue.parse(#"{"s":"18446744073709551615","n":42,"neg":-1,"f":1.5,"x":"12a","b":true}"#)
            #expect(value["s"]?.uint64Value == UInt64.max)
            #expect(value["n"]?.uint64Value == 42)
            #expect(value["n"]?.int64Value == 42)
            #expect(value["neg"]?.uint64Value == nil)
            #expect(value["neg"]?.int64Value == -1)
            #expect(value["f"]?.int64Value == nil)
            #expect(value["x"]?.uint64Value == nil)
            #expect(value["b"]?.uint64Value == nil)
            #expect(value.compactBytes == Array(value.compactText.utf8))
        }

        @Test func decodesEscapesAndUnicode() throws {
            let value = try JSONValue.parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "😀 é"]"#)
            let items = try #require(value.arrayValue)
            #expect(items[0] == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
            #expect(items[1] == .string("é中"))
            #expect(items[2] == .string("😀"))
            #expect(items[3] == .string("😀 é"))
        }

        @Test func serializerEscapesWhatJSONRequires() throws {
            let original = JSONValue.string("quote\" back\\ nl\n tab\t bell\u{07} nul\u{00} é 😀 /")
            let text = original.compactText
            #expect(text == #""quote\" back\\ nl\n tab\t bell\u0007 nul\u0000 é 😀 /""#)
            #expect(try JSONValue.parse(text) == original)
        }

        @Test func prettyTextIsTwoSpaceIndentedWithTrailingNewline() {
            let value: JSONValue = ["b": [1, 2], "a": ["x": "y"], "e": [:], "l": []]
            #expect(value.prettyText == """
                {
                  "b": [
                    1,
                    2
                  ],
                  "a": {
                    "x": "y"
                  },
                  "e": {},
                  "l": []
                }

                """)
        }

        @Test func reportsLineAndColumnOfSyntaxErrors() throws {
            let error = try #require(syntaxError("{\n  \"a\": 1\n  \"b\": 2\n}"))
            #expect(error.line == 3)
            #expect(error.column == 3)
            #expect(error.expected == "',' or '}' after an object member")
            #expect(error.found == "'\"'")
        }

        @Test func columnsCountCharactersNotBytes() throws {
            let error = try #require(syntaxError(#"["ééé" x]"#))
            #expect(error.line == 1)
            #expect(error.column == 8)
        }

        @Test func rejectsCommonMistakes() throws {
            let trailing = try #require(syntaxError(#"{"a": 1,}"#))
            #expect(trailing.column == 9)
            #expect(trailing.hint?.contains("trailing comma") == true)
            #expect(syntaxError("[1,]")?.hint?.contains("trailing comma") == true)
            #expect(syntaxError("{'a': 1}")?.hint?.contains("double quotes") == true)
            #expect(syntaxError("[01]")?.hint?.contains("leading zeros") == true)
            #expect(syntaxError("[1] [2]")?.expected == "the end of the document")
            #expect(syntaxError("")?.found == "the end of the file")
            #expect(syntaxError("[tru]")?.expected == "'true'")
            #expect(syntaxError("\"abc")?.hint?.contains("never closed") == true)
            #expect(syntaxError("[\"a\nb\"]")?.hint?.contains("span lines") == true)
            #expect(syntaxError(#"["\x"]"#) != nil)
            #expect(syntaxError(#"["\ud800"]"#) != nil)  // lone high surrogate
            #expect(syntaxError(#"["\udc00"]"#) != nil)  // lone low surrogate
            #expect(syntaxError("[1.]") != nil)
            #expect(syntaxError("[-]") != nil)
            #expect(syntaxError("[1e]") != nil)
            #expect(syntaxError("[NaN]") != nil)
        }

        @Test func rejectsInvalidUTF8() throws {
            var bytes = Array(#"["ok "#.utf8)
            bytes += [0xC3, 0x28]  // a lead byte without its continuation
            bytes += Array(#""]"#.utf8)
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(bytes) }
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }  // encoded surrogate
            #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])  // a BOM is fine
        }

        @Test func rejectsDuplicateKeysWithBothPositions() throws {
            let error = try #require(syntaxError("{\"a\": 1,\n \"a\": 2}"))
            #expect(error.line == 2)
            #expect(error.column == 2)
            #expect(error.found.contains("\"a\" again (first at line 1, column 2)"))
            // The same key in different objects is fine.
            #expect(syntaxError(#"[{"a": 1}, {"a": 2}]"#) == nil)
        }

        @Test func syntaxErrorsCarryTheJSONPath() throws {
            let error = try #require(syntaxError(#"{"plugins": [{"name": "x"}, {"name" "y"}]}"#))
            #expect(error.path == "$.plugins[1]")
        }

        @Test func refusesHostileNesting() throws {
            let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
            #expect(syntaxError(ok) == nil)
            let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
            let error = try #require(syntaxError(deep))
            #expect(error.expected.contains("512"))
            let veryDeep = String(repeating: "{\"a\":", count: 100_000)
            #expect(syntaxError(veryDeep) != nil)
        }

        @Test func objectSubscriptReplacesInPlaceAndAppendsNewKeys() {
            var object: JSONObject = ["a": 1, "b": 2]
            object["a"] = 3
            object["c"] = 4
            object["b"] = nil
            #expect(object.keys == ["a", "c"])
            #expect(object["a"] == 3)
        }
    }
}

extension ConfigTests {
    @Suite struct Loading {
        @Test func loadsAFullFile() throws {
            let text = """
                {
                  "host": {
                    "owners": ["100000000000000001", 123456789012345678],
                    "dataDirectory": "state", "pluginsDirectory": "/opt/plugins",
                    "callbackBudgetMs": 250, "cleanupDeadlineMs": 900, "busQueueCapacity": 1024,
                    "maxOverruns": 3, "logLevel": "debug"
                  },
                  "plugins": [
                    {"name": "rate_limit", "library": "libRateLimit.so", "enabled": false,
                     "config": {"guild": 987654321098765432, "b": [1, 2], "a": "x"}},
                    {"name": "greeter", "library": "/abs/libGreeter.so"}
                  ]
                }
                """
            let file = try PluginsFileLoader.parse(Array(text.utf8), file: "plugins.json")
            #expect(file.host.owners == [100_000_000_000_000_001, 123_456_789_012_345_678])
            #expect(file.host.dataDirectory == "state")
            #expect(file.host.pluginsDirectory == "/opt/plugins")
            #expect(file.host.callbackBudgetMs == 250)
            #expect(file.host.cleanupDeadlineMs == 900)
            #expect(file.host.busQueueCapacity == 1024)
            #expect(file.host.maxOverruns == 3)
            #expect(file.host.logLevel == "debug")
            #expect(file.plugins.map(\.name) == ["rate_limit", "greeter"])
            #expect(file.plugins[0].enabled == false)
            #expect(file.plugins[0].configJSON == #"{"guild":987654321098765432,"b":[1,2],"a":"x"}"#)
            #expect(file.plugins[1].enabled == true)
            #expect(file.plugins[1].configJSON == "{}")
        }

        @Test func defaultsWhenSectionsAreAbsent() throws {
            let file = try PluginsFileLoader.parse(Array("{}".utf8), file: "plugins.json")
            #expect(file == PluginsFile())
            #expect(file.host.callbackBudgetMs == 1000)
            #expect(file.host.busQueueCapacity == 65536)
        }

        @Test func renderRoundTrips() throws {
            var host = HostSettings()
            host.owners = [42, 123_456_789_012_345_678]
            host.dataDirectory = "data"
            host.callbackBudgetMs = 77
            host.logLevel = "warning"
            let file = PluginsFile(host: host, plugins: [
                PluginEntry(name: "a", library: "libA.so", enabled: false, config: ["x": 1, "nested": ["q": [true, .null]]]),
                PluginEntry(name: "b-2", library: "libB.so"),
            ])
            let text = PluginsFileLoader.render(file)
            #expect(try PluginsFileLoader.parse(Array(text.utf8), file: "r.json") == file)
            #expect(text.hasSuffix("}\n"))
            #expect(text.contains(#""owners": ["#))
            #expect(text.contains(#""123456789012345678""#))  // ids render as strings
            #expect(!text.contains("busQueueCapacity"))  // defaults are left out
            #expect(PluginsFileLoader.render(try PluginsFileLoader.parse(Array(text.utf8), file: "r.json")) == text)  // stable
        }

        @Test func wrongTypeNamesFilePathAndFix() throws {
            let error = try #require(configError(#"{"plugins": [{"name": "a", "library": "l"}, {"name": "b", "library": "l", "enabled": "yes"}]}"#))
            #expect(error.path == "$.plugins[1].enabled")
            #expect(error.description == #"plugins.json: $.plugins[1].enabled: expected true or false, found "yes". Fix: write "enabled": true or "enabled": false."#)
        }

        @Test func unknownKeysAreErrorsWithSuggestions() throws {
            let entry = try #require(configError(#"{"plugins": [{"name": "a", "library": "l", "enabeld": true}]}"#))
            #expect(entry.path == "$.plugins[0].enabeld")
            #expect(entry.problem == #"unknown key "enabeld""#)
            #expect(entry.fix.contains(#"did you mean "enabled"?"#))

            let host = try #require(configError(#"{"host": {"CallbackBudgetMS": 5}}"#))
            #expect(host.path == "$.host.CallbackBudgetMS")
            #expect(host.fix.contains(#"did you mean "callbackBudgetMs"?"#))

            let top = try #require(configError(#"{"plugin": []}"#))
            #expect(top.path == "$.plugin")
            #expect(top.fix.contains(#"did you mean "plugins"?"#))

            let far = try #require(configError(#"{"plugins": [], "colour": 1}"#))
            #expect(far.problem == #"unknown key "colour""#)
            #expect(!far.fix.contains("did you mean"))
            #expect(far.fix.contains("host, plugins"))
        }

        @Test func everyErrorNamesFilePathAndFix() throws {
            let cases: [(text: String, path: String, problemContains: String)] = [
                ("[]", "$", "expected an object"),
                (#"{"host": []}"#, "$.host", "expected an object"),
                (#"{"host": {"owners": "1"}}"#, "$.host.owners", "expected an array"),
                (#"{"host": {"owners": ["12a"]}}"#, "$.host.owners[0]", "Discord user id"),
                (#"{"host": {"owners": [1.5]}}"#, "$.host.owners[0]", "Discord user id"),
                (#"{"host": {"owners": ["99999999999999999999999"]}}"#, "$.host.owners[0]", "Discord user id"),
                (#"{"host": {"dataDirectory": ""}}"#, "$.host.dataDirectory", "non-empty string"),
                (#"{"host": {"pluginsDirectory": 3}}"#, "$.host.pluginsDirectory", "non-empty string"),
                (#"{"host": {"callbackBudgetMs": 0}}"#, "$.host.callbackBudgetMs", "from 1 to 600000"),
                (#"{"host": {"cleanupDeadlineMs": 600001}}"#, "$.host.cleanupDeadlineMs", "from 1 to 600000"),
                (#"{"host": {"busQueueCapacity": 8}}"#, "$.host.busQueueCapacity", "from 16 to 16777216"),
                (#"{"host": {"busQueueCapacity": 1024.5}}"#, "$.host.busQueueCapacity", "whole number"),
                (#"{"host": {"maxOverruns": "3"}}"#, "$.host.maxOverruns", "whole number"),
                (#"{"host": {"logLevel": "verbose"}}"#, "$.host.logLevel", "expected one of trace, debug, info, warning, error"),
                (#"{"plugins": {}}"#, "$.plugins", "expected an array"),
                (#"{"plugins": [3]}"#, "$.plugins[0]", "expected a plugin entry object"),
                (#"{"plugins": [{"library": "l"}]}"#, "$.plugins[0]", #"missing "name""#),
                (#"{"plugins": [{"name": "a"}]}"#, "$.plugins[0]", #"missing "library""#),
                (#"{"plugins": [{"name": "a", "library": ""}]}"#, "$.plugins[0].library", "non-empty string"),
                (#"{"plugins": [{"name": "a", "library": "l", "config": []}]}"#, "$.plugins[0].config", "expected an object"),
                (#"{"plugins": [{"name": "a", "library": "l", "config": null}]}"#, "$.plugins[0].config", "expected an object"),
            ]
            for item in cases {
                let error = try #require(configError(item.text))
                #expect(error.file == "plugins.json")
                #expect(error.path == item.path, "\(item.text)")
                #expect(error.problem.contains(item.problemContains), "\(item.text): \(error.problem)")
                #expect(!error.fix.isEmpty)
                #expect(error.description.hasPrefix("plugins.json: \(item.path): "))
                #expect(error.description.contains(". Fix: "))
            }
        }

        @Test func logLevelTypoGetsASuggestion() throws {
            let error = try #require(configError(#"{"host": {"logLevel": "warn"}}"#))
            #expect(error.fix.contains(#"did you mean "warning"?"#))
        }

        @Test func badPluginNamesAreRefusedWithAValidSuggestion() throws {
            for bad in [#""My Plugin""#, #""""#, "7", "\"" + String(repeating: "a", count: 65) + "\"", #""a.b""#] {
                let error = try #require(configError(#"{"plugins": [{"name": \#(bad), "library": "l"}]}"#))
                #expect(error.path == "$.plugins[0].name", "\(bad)")
                #expect(error.problem.contains("expected a plugin name"))
            }
            let error = try #require(configError(#"{"plugins": [{"name": "My Plugin", "library": "l"}]}"#))
            #expect(error.fix.contains(#""name": "my-plugin""#))
            #expect(PluginEntry.isValidName("rate_limit-2"))
            #expect(!PluginEntry.isValidName("Rate"))
        }

        @Test func duplicatePluginNamesAreRefused() throws {
            let error = try #require(configError(#"{"plugins": [{"name": "a", "library": "x"}, {"name": "b", "library": "y"}, {"name": "a", "library": "z"}]}"#))
            #expect(error.path == "$.plugins[2].name")
            #expect(error.problem.contains("already used by $.plugins[0]"))
        }

        @Test func syntaxErrorsGiveFileLineColumnAndExpectedToken() throws {
            let error = try #require(configError("{\n  \"plugins\": [\n    {\"name\": \"a\" \"library\": \"l\"}\n  ]\n}"))
            #expect(error.line == 3)
            #expect(error.column == 18)
            #expect(error.description.hasPrefix("plugins.json:3:18: $.plugins[0]: expected ',' or '}' after an object member"))
            #expect(error.description.contains("Fix: add a ','"))
        }

        @Test func missingFileSaysHowToCreateOne() throws {
            let path = try scratchFolder().appendingPathComponent("nope.json").path
            do {
                _ = try PluginsFileLoader.load(contentsOf: path)
                Issue.record("loading a missing file must fail")
            } catch {
                #expect(error.file == path)
                #expect(error.problem == "the file does not exist")
                #expect(error.fix.contains(#"{"plugins": []}"#))
                #expect(error.description.hasPrefix("\(path): the file does not exist. Fix: create it"))
            }
        }

        @Test func loadReadsFromDisk() throws {
            let path = try scratchFolder().appendingPathComponent("plugins.json")
            try Data(#"{"plugins": [{"name": "a", "library": "libA.so"}]}"#.utf8).write(to: path)
            #expect(try PluginsFileLoader.load(contentsOf: path.path).plugins.map(\.name) == ["a"])
        }
    }
}

extension ConfigTests {
    @Suite struct Editing {
        private static let original = """
            {
              "plugins": [
                {"library": "libA.so", "name": "a", "config": {"z": 1.50, "id": 123456789012345678, "k": [1, {"x": null}]}},
                {"name": "b", "library": "libB.so", "enabled": true},
                {"name": "c", "library": "libC.so", "enabled": false}
              ],
              "host": {"logLevel": "debug", "owners": ["5"]}
            }
            """

        private func makeFile() throws -> String {
            let path = try scratchFolder().appendingPathComponent("plugins.json").path
            try Data(Self.original.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        @Test func setEnabledChangesOnlyThatEntry() throws {
            let path = try makeFile()
            let before = try PluginsFileLoader.load(contentsOf: path)
            try PluginsFileEditor.setEnabled("b", false, in: path)
            let after = try PluginsFileLoader.load(contentsOf: path)
            #expect(after.plugins[1].enabled == false)
            var expected = before
            expected.plugins[1].enabled = false
            #expect(after == expected)
            // Key order, number spellings and the untouched entries survive the rewrite.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let tree = try JSONValue.parse(text)
            #expect(tree.objectValue?.keys == ["plugins", "host"])
            #expect(tree["plugins"]?.arrayValue?[0].objectValue?.keys == ["library", "name", "config"])
            #expect(text.contains("1.50"))
            #expect(text.contains("123456789012345678"))
            // An entry without "enabled" gets one appended, the rest untouched.
            try PluginsFileEditor.setEnabled("a", false, in: path)
            let tree2 = try JSONValue.parse(try String(contentsOfFile: path, encoding: .utf8))
            #expect(tree2["plugins"]?.arrayValue?[0].objectValue?.keys == ["library", "name", "config", "enabled"])
            #expect(try PluginsFileLoader.load(contentsOf: path).plugins.map(\.enabled) == [false, false, false])
            // No temp files left behind.
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["plugins.json"])
        }

        @Test func setEnabledRefusesUnknownNamesListingTheKnownOnes() throws {
            let path = try makeFile()
            do {
                try PluginsFileEditor.setEnabled("bb", true, in: path)
                Issue.record("an unknown name must be refused")
            } catch {
                #expect(error.problem == #"no plugin named "bb""#)
                #expect(error.fix.contains("a, b, c"))
                #expect(error.fix.contains(#"did you mean "b"?"#))
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.original)  // untouched
        }

        @Test func setEnabledRefusesAnInvalidFile() throws {
            let path = try makeFile()
            let broken = #"{"plugins": [{"name": "a", "library": "l", "enabld": true}]}"#
            try Data(broken.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: ConfigError.self) { try PluginsFileEditor.setEnabled("a", false, in: path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == broken)
        }

        @Test func addPluginAppendsAndRefusesDuplicates() throws {
            let path = try makeFile()
            try PluginsFileEditor.addPlugin(PluginEntry(name: "d", library: "libD.so", config: ["n": 1]), in: path)
            let file = try PluginsFileLoader.load(contentsOf: path)
            #expect(file.plugins.map(\.name) == ["a", "b", "c", "d"])
            #expect(file.plugins[3].configJSON == #"{"n":1}"#)
            #expect(file.host.logLevel == "debug")
            do {
                try PluginsFileEditor.addPlugin(PluginEntry(name: "b", library: "other.so"), in: path)
                Issue.record("a duplicate must be refused")
            } catch {
                #expect(error.path == "$.plugins[1].name")
                #expect(error.problem.contains("already configured"))
            }
            #expect(throws: ConfigError.self) {
                try PluginsFileEditor.addPlugin(PluginEntry(name: "Bad Name", library: "x.so"), in: path)
            }
            #expect(try PluginsFileLoader.load(contentsOf: path).plugins.count == 4)
        }

        @Test func addPluginCreatesAMissingFile() throws {
            let path = try scratchFolder().appendingPathComponent("plugins.json").path
            try PluginsFileEditor.addPlugin(PluginEntry(name: "a", library: "libA.so"), in: path)
            #expect(try PluginsFileLoader.load(contentsOf: path).plugins == [PluginEntry(name: "a", library: "libA.so")])
        }
    }
}
