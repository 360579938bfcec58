@testable import BotHost
import Foundation
import Testing

@Suite struct LocalInvocationTests {
    let definitions: [String: [UInt8]] = [
        "count": Array(#"{"name":"count","description":"d","options":[{"type":4,"name":"add","description":"d"}]}"#.utf8),
        "sessions": Array(#"{"name":"sessions","description":"d","options":[{"type":1,"name":"watch","description":"d","options":[{"type":3,"name":"source","description":"d","required":true},{"type":5,"name":"pin","description":"d"}]}]}"#.utf8),
    ]

    private func data(_ invocation: CommandInvocation) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(invocation.json)) as? [String: Any])
        return try #require(object["data"] as? [String: Any])
    }

    @Test func typesOptionsFromTheDefinition() throws {
        let invocation = try LocalInvocation.parse("/count add:5", definitions: definitions, userID: 42)
        #expect(invocation.commandName == "count")
        #expect(invocation.userID == 42)
        let options = try #require(try data(invocation)["options"] as? [[String: Any]])
        #expect(options.first?["name"] as? String == "add")
        #expect(options.first?["value"] as? Int == 5)
    }

    @Test func nestsSubcommandOptions() throws {
        let invocation = try LocalInvocation.parse(#"/sessions watch source:"open ra" pin:yes"#, definitions: definitions, userID: 1)
        let sub = try #require((try data(invocation)["options"] as? [[String: Any]])?.first)
        #expect(sub["name"] as? String == "watch")
        let options = try #require(sub["options"] as? [[String: Any]])
        #expect(options.first { $0["name"] as? String == "source" }?["value"] as? String == "open ra")
        #expect(options.first { $0["name"] as? String == "pin" }?["value"] as? Bool == true)
    }

    @Test func explainsMistakes() {
        #expect(throws: LocalInvocation.ParseError.self) { try LocalInvocation.parse("/nope", definitions: definitions, userID: 1) }
        #expect(throws: LocalInvocation.ParseError(description: "add must be a whole number")) {
            try LocalInvocation.parse("/count add:five", definitions: definitions, userID: 1)
        }
        #expect(throws: LocalInvocation.ParseError(description: "/sessions needs the option source:…")) {
            try LocalInvocation.parse("/sessions watch", definitions: definitions, userID: 1)
        }
    }
}
