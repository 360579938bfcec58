@testable import BotHostCore
import Testing

/// What goes to Discord when a plugin answers, given what the host already did.
@Suite struct InteractionResponseRulesTests {
    @Test func anEditOrFollowUpAfterTheHostsAcknowledgementIsThePluginsAnswer() throws {
        for kind in [InteractionResponse.Kind.editOriginal, .followUp] {
            var stage = InteractionSession.Stage.deferredByHost
            let sent = try InteractionResponseRules.resolve(kind, for: .command, stage: &stage, handle: 1)
            #expect(sent == kind)
            // Answered: the host's "did not answer" apology must not then replace it.
            guard case .answered = stage else {
                Issue.record("\(kind) after the host's acknowledgement left the stage at \(stage)")
                continue
            }
        }
    }

    @Test func aLateReplyBecomesAnEditOfTheHostsAcknowledgement() throws {
        var stage = InteractionSession.Stage.deferredByHost
        #expect(try InteractionResponseRules.resolve(.reply, for: .command, stage: &stage, handle: 1) == .replyAfterHostDefer)
        guard case .answered = stage else {
            Issue.record("a late reply left the stage at \(stage)")
            return
        }
        // A second initial response is refused.
        #expect(throws: InteractionRefusal.self) { try InteractionResponseRules.resolve(.reply, for: .command, stage: &stage, handle: 1) }
    }
}
