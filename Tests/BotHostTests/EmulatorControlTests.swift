@testable import DiscordEmulator
import Foundation
import Testing

/// The line protocol `bothost emulator --control` speaks, through which Tests/Interop drives the
/// emulator from another process.
@Suite struct EmulatorControlTests {
    private func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func greetingNamesTheURLsAndRequestsAreAnsweredOneLineEach() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let control = EmulatorControl(emulator)

        let greeting = try object(control.greeting)
        #expect(greeting["ok"] as? Bool == true)
        #expect(greeting["api_url"] as? String == emulator.apiBaseURL)
        #expect(greeting["gateway_url"] as? String == emulator.gatewayURL)
        #expect(greeting["resume_gateway_url"] as? String == emulator.resumeGatewayURL)

        let sent = try object(control.answer(#"{"do":"user_sends_message","channel_id":"2001","content":"hi"}"#))
        let messageID = try #require(sent["message_id"] as? String)
        let messages = try object(control.answer(#"{"do":"messages","channel_id":"2001"}"#))["messages"] as? [[String: Any]]
        #expect(messages?.map { $0["id"] as? String } == [messageID])
        #expect(messages?.first?["edit_count"] as? Int == 0)

        let invoked = try object(control.answer(#"{"do":"user_invokes_command","name":"echo","options":[{"name":"text","type":3,"value":"x"}]}"#))
        #expect(invoked["token"] is String)
        let fault = try object(control.answer(#"{"do":"fault","fault":"reconnect"}"#))
        #expect(fault["affected"] as? Int == 0)
        #expect(!control.answer(#"{"do":"urls"}"#).contains("\n"))
    }

    @Test func refusalsSayWhatIsWrong() async throws {
        let emulator = try await startedEmulator()
        defer { Task { await emulator.shutdown() } }
        let control = EmulatorControl(emulator)
        for (line, reason) in [
            ("not json", "not JSON"), (#"{"no":"do"}"#, "\"do\""), (#"{"do":"dance"}"#, "unknown"),
            (#"{"do":"fault","fault":"invalid_session"}"#, "resumable"), (#"{"do":"messages"}"#, "channel_id"),
        ] {
            let answer = try object(control.answer(line))
            #expect(answer["ok"] as? Bool == false, "\(line)")
            #expect((answer["error"] as? String)?.contains(reason) == true, "\(line): \(answer)")
        }
    }
}
