import BotHost
import DiscordEmulator
import Foundation
import Testing

/// The emulator's REST answers checked against Discord's official OpenAPI spec, so a client
/// tested here parses the same shapes it will get from Discord.
@Suite struct EmulatorConformanceTests {
    @Test func restAnswersMatchDiscordsOpenAPISpec() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        emulator.freezeClock()
        // Each call waits out its bucket, so every answer is the route's own.
        func send(_ method: String, _ path: String, _ body: String? = nil, token: String? = "sandbox-token") async throws -> EmulatorHTTPResponse {
            emulator.advanceClock(ms: 20_000)
            return try await emulatorCall(emulator, method, path, body, token: token)
        }
        _ = try await send("GET", "/users/@me")
        _ = try await send("GET", "/applications/@me")
        _ = try await send("GET", "/gateway/bot")
        _ = try await send("GET", "/gateway", token: nil)
        _ = try await send("GET", "/channels/2001")
        let created = try await send("POST", "/channels/2001/messages",
            #"{"content":"hi <@3000>","embeds":[{"title":"t","color":255,"fields":[{"name":"a","value":"b"}],"footer":{"text":"f"}}]}"#)
        let messageID = try #require(created.object?["id"] as? String)
        _ = try await send("POST", "/channels/2001/messages", #"{"content":"reply","message_reference":{"message_id":"\#(messageID)"}}"#)
        _ = try await send("GET", "/channels/2001/messages?limit=10")
        _ = try await send("GET", "/channels/2001/messages/\(messageID)")
        _ = try await send("PATCH", "/channels/2001/messages/\(messageID)", #"{"content":"edited"}"#)
        _ = try await send("POST", "/channels/2001/messages", "{}")
        _ = try await send("POST", "/channels/2001/messages", #"{"embeds":[{"title":"\#(String(repeating: "t", count: 300))"}]}"#)
        _ = try await send("GET", "/channels/2001/messages/1")
        _ = try await send("PUT", "/applications/1000/commands",
            #"[{"name":"echo","description":"Echo","options":[{"type":3,"name":"text","description":"What","required":true}]},{"type":2,"name":"Inspect"}]"#)
        _ = try await send("PUT", "/applications/1000/guilds/2000/commands", #"[{"name":"local","description":"Local","default_member_permissions":"8"}]"#)
        _ = try await send("GET", "/applications/1000/commands")
        _ = try await send("PUT", "/applications/1000/commands", #"[{"name":"Bad Name","description":"x"}]"#)
        _ = try await send("GET", "/users/@me", token: nil)

        let (id, token) = emulator.userInvokesCommand(name: "echo")
        _ = try await emulatorCall(emulator, "POST", "/interactions/\(id)/\(token)/callback?with_response=true", #"{"type":4,"data":{"content":"pong"}}"#, token: nil)
        _ = try await emulatorCall(emulator, "POST", "/interactions/\(id)/\(token)/callback", #"{"type":4,"data":{"content":"again"}}"#, token: nil)
        _ = try await send("POST", "/webhooks/1000/\(token)", #"{"content":"follow-up"}"#, token: nil)
        _ = try await send("PATCH", "/webhooks/1000/\(token)/messages/@original", #"{"content":"edited original"}"#, token: nil)
        _ = try await send("GET", "/webhooks/1000/\(token)/messages/@original", token: nil)

        emulator.advanceClock(ms: 20_000)
        for _ in 0..<6 { _ = try await emulatorCall(emulator, "POST", "/channels/2001/messages", #"{"content":"x"}"#) }

        var checked = 0
        for request in emulator.requests where request.responseHeader("Content-Type") == "application/json" {
            let problems = Self.responseProblems(request)
            #expect(problems.isEmpty, "\(request.method) \(request.path) → \(request.status): \(problems)")
            checked += 1
        }
        #expect(checked >= 25)
        #expect(emulator.requests.contains { $0.status == 429 })
        #expect(emulator.requests.contains { $0.status == 400 })
    }

    /// Problems of a recorded answer against the schema the spec gives for its route and status.
    static func responseProblems(_ request: RecordedRequest) -> [String] {
        let spec = OpenAPISpec.shared
        guard case .success(let segments) = OpenAPISpec.segments(of: request.path) else { return ["not an API path"] }
        guard case .found(let route, let operation) = spec.router.match(method: request.method, segments: segments, evaluator: spec.evaluator) else {
            return ["no such route in the spec"]
        }
        let responses = operation["responses"]
        guard let declared = responses?[String(request.status)] ?? responses?["\(request.status / 100)XX"] else {
            return ["\(route.template) declares no \(request.status) answer"]
        }
        guard let schema = spec.evaluator.dereferenced(declared)["content"]?["application/json"]?["schema"] else {
            return ["\(route.template) \(request.status) has no JSON schema"]
        }
        guard let value = try? JSONValue.parse(request.responseBody) else { return ["the answer is not JSON"] }
        let problems = spec.evaluator.problems(of: value, against: schema)
        // Discord's docs and API give field errors string codes ("BASE_TYPE_MAX_LENGTH"); the
        // spec reuses its integer-coded Error there. That one disagreement is Discord's, not ours.
        let real = problems.filter { problem in
            problem.kind != .header && !(problem.pointer.contains("/_errors/") && problem.pointer.hasSuffix("/code")
                && problem.message.contains("found string"))
        }
        return real.isEmpty ? [] : problems.map { "\($0.pointer): \($0.message)" }
    }
}
