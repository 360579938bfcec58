@testable import BotHost
import Foundation
import Synchronization
import Testing

/// The deadlines of an interaction's answer, without Discord: they belong to the session, are
/// armed only when the invoker asks (Discord's router does; the console and tests do not), and
/// move the same stage the plugin's answers do. The host clock is manual.
@Suite struct InteractionDeadlineTests {
    private func invoke(_ host: TestHost, _ line: String, deadlines: InteractionDeadlines?) throws -> RecordingResponder {
        let responder = RecordingResponder()
        let invocation = try LocalInvocation.parse(line, definitions: host.runtime.commands.definitions, userID: 5)
        try host.runtime.invokeCommand(invocation, responder: responder, deadlines: deadlines)
        return responder
    }

    @Test func aSlowPluginIsAcknowledgedForOnlyWhenDeadlinesAreAsked() async throws {
        let host = try TestHost()
        try await host.apply(plugins: #"[{"name": "slow", "library": \#(jsonString(try Fixtures.fixture("slow_command")))}]"#)

        // No deadlines: the plugin is waited for. Had the host deferred, its reply would have
        // gone out as a late one.
        let patient = try invoke(host, "/slow delay:20000", deadlines: nil)
        await host.settled("slow")
        host.advance(ms: 20_000)
        #expect(await eventually { patient.responses.count == 1 })
        #expect(patient.responses.map(\.kind) == [.reply])

        // Deadlines: acknowledged at 2.5 s, and the plugin's reply at 4 s follows as a late one.
        let slow = try invoke(host, "/slow delay:4000", deadlines: InteractionDeadlines())
        await host.settled("slow")
        host.advance(ms: 2500)
        #expect(await eventually { slow.responses.map(\.kind) == [.deferred] })
        #expect(slow.responses.first?.isEphemeral == true)
        host.advance(ms: 1500)
        #expect(await eventually { slow.responses.map(\.kind) == [.deferred, .replyAfterHostDefer] })

        // Never answered: after the deferral and 15 s more, the user is told.
        let silent = try invoke(host, "/slow delay:600000", deadlines: InteractionDeadlines())
        await host.settled("slow")
        host.advance(ms: 2500)
        #expect(await eventually { silent.responses.map(\.kind) == [.deferred] })
        host.advance(ms: 15_000)
        #expect(await eventually { silent.responses.map(\.kind) == [.deferred, .editOriginal] })
        #expect(silent.responses.last?.messageText.contains("did not answer") == true)
        await host.shutdown()
    }

    /// Holds the host's acknowledgement until released, and logs when each response starts and
    /// ends, as Discord would see them arrive.
    private final class GatedResponder: InteractionResponder {
        let log = Mutex<[String]>([])
        private let gate = Mutex<(open: Bool, waiting: CheckedContinuation<Void, Never>?)>((false, nil))

        func respond(_ response: InteractionResponse) async -> Result<[UInt8], InteractionResponseError> {
            log.withLock { $0.append("begin \(response.kind)") }
            if response.kind == .deferred {
                await withCheckedContinuation { continuation in
                    let open = gate.withLock { g in
                        if !g.open { g.waiting = continuation }
                        return g.open
                    }
                    if open { continuation.resume() }
                }
            }
            log.withLock { $0.append("end \(response.kind)") }
            return .success(Array(#"{"id":"0"}"#.utf8))
        }

        func release() {
            let waiting = gate.withLock { g in
                g.open = true
                defer { g.waiting = nil }
                return g.waiting
            }
            waiting?.resume()
        }
    }

    @Test func aLateReplyIsSentOnlyAfterTheHostsAcknowledgementWasAnswered() async throws {
        let host = try TestHost()
        try await host.apply(plugins: #"[{"name": "slow", "library": \#(jsonString(try Fixtures.fixture("slow_command")))}]"#)
        let responder = GatedResponder()
        let invocation = try LocalInvocation.parse("/slow delay:4000", definitions: host.runtime.commands.definitions, userID: 5)
        try host.runtime.invokeCommand(invocation, responder: responder, deadlines: InteractionDeadlines())
        await host.settled("slow")
        host.advance(ms: 2500)
        // The acknowledgement is on its way (held at the gate); the plugin then answers.
        #expect(await eventually { responder.log.withLock { $0 } == ["begin deferred"] })
        host.advance(ms: 1500)
        await host.settled("slow")
        responder.release()
        #expect(await eventually { responder.log.withLock { $0.count } == 4 })
        #expect(responder.log.withLock { $0 } == ["begin deferred", "end deferred", "begin replyAfterHostDefer", "end replyAfterHostDefer"])
        await host.shutdown()
    }
}
