@testable import BotHost
import Foundation
import PluginAPI
import Testing

/// The json_* calls (ABI minor 4) as a C plugin calls them: through the host's real table, from
/// the fixture Tests/Fixtures/Plugins/json_reader.c, with their statuses, buffers and last_error.
@Suite struct ABIJSONTests {
    private static let interaction = #"""
        {"type": 2, "data": {"name": "count", "options": [{"name": "add", "type": 4, "value": 5},
         {"name": "note", "type": 3, "value": "caf\u00e9 \"x\""}]}, "member": {"user": {"id": "80351110224678912"}},
         "ratio": 0.25, "ok": true, "none": null, "a/b": {"m~n": 7}}
        """#

    /// (call, pointer, document) → the line the fixture publishes.
    private static let cases: [(call: String, pointer: String, json: String, expected: String)] = [
        ("int64", "/data/options/0/value", interaction, "0 5"),
        ("string", "/data/options/1/value", interaction, #"0 9 café "x""#),
        ("string", "/member/user/id", interaction, "0 17 80351110224678912"),
        ("double", "/ratio", interaction, "0 0.25"),
        ("bool", "/ok", interaction, "0 1"),
        ("length", "/data/options", interaction, "0 2"),
        ("raw", "/a~1b", interaction, #"0 {"m~n": 7}"#),
        ("int64", "/a~1b/m~0n", interaction, "0 7"),
        ("raw", "", "  [1, 2]  ", "0 [1, 2]"),
        // Too small a buffer: as much as fits, the full length, BOTHOST_E_TOO_LARGE.
        ("string4", "/data/name", interaction, "10 5 cou |"),
        ("stringlen", "/data/name", interaction, "10 5 untouched |"),
        // Missing, wrong type, malformed JSON, bad pointer.
        ("int64", "/data/options/2/value", interaction, "2 0 |"),
        ("int64", "/ratio", interaction, "14 0 |"),
        ("string", "/none", interaction, "14 0 untouched |"),
        ("bool", "/data", interaction, "14 -1 |"),
        ("int64", "/x", #"{"x": 1"#, "1 0 |"),
        ("int64", "x", interaction, "15 0 |"),
    ]

    @Test func aCPluginReadsJSONThroughTheTable() async throws {
        let host = try TestHost()
        let statuses = try await host.apply(plugins: #"[{"name": "jsonreader", "library": \#(jsonString(try Fixtures.fixture("json_reader")))}]"#)
        #expect(statuses.first?.state == .running, "\(statuses)")

        for (call, pointer, json, _) in Self.cases {
            try host.publish("jsonreader.read", "\(call) \(pointer)\n\(json)")
        }
        #expect(await eventually { host.events("jsonreader.result").count == Self.cases.count })
        for (result, (call, pointer, _, expected)) in zip(host.events("jsonreader.result"), Self.cases) {
            #expect(result.hasPrefix(expected), "\(call) \(pointer): \(result)")
        }
        // Failures explain themselves through last_error.
        let results = host.events("jsonreader.result")
        #expect(results.contains { $0.hasPrefix("2 ") && $0.contains("2 elements") }, "\(results)")
        #expect(results.contains { $0.hasPrefix("15 ") && $0.contains("start with '/'") }, "\(results)")
        await host.shutdown()
    }

    @Test func theCallsNeedNoPluginAndWorkFromAnyThread() async throws {
        #expect(HostAPI.table.pointee.json_get_int64 != nil)
        let results = await withTaskGroup(of: Int64.self) { group in
            for n in 0..<8 {
                group.addTask {
                    guard let getInt = HostAPI.table.pointee.json_get_int64 else { return -1 }
                    let json = Array(#"{"n": \#(n)}"#.utf8)
                    var value: Int64 = -1
                    let status = json.withUnsafeBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { chars in
                            withCStr("/n") { pointer in
                                getInt(bothost_str(ptr: chars.baseAddress, len: chars.count), pointer, &value)
                            }
                        }
                    }
                    return status == Status.ok ? value : -1
                }
            }
            return await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<8))
    }

    @Test func aHostOfferingMinor3HasNoJSONSlots() {
        let minor3 = HostAPI.offeredTable(minor: 3).pointee
        #expect(minor3.json_get_string == nil && minor3.json_array_length == nil)
        #expect(HostAPI.table.pointee.json_get_string != nil && HostAPI.table.pointee.json_array_length != nil)
    }
}
