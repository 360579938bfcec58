import Logging
import Synchronization

/// An interaction in flight and the state of its answer, which only moves forward:
/// `awaitingResponse` → `answered` when the plugin answers in time; `awaitingResponse` →
/// `deferredByHost` (the host acknowledged for it) → `answered` when it answers late. Autocomplete,
/// which cannot be deferred, goes straight to `answered` with the host's empty choices.
///
/// The plugin's answers go through `answer` (what is then sent is `InteractionResponseRules`'),
/// the host's through the deadlines `armDeadlines` sets; both move the one `stage`.
package final class InteractionSession: Sendable {
    package enum Stage: Sendable {
        case awaitingResponse
        /// The plugin was too slow and the host acknowledged (ephemerally) to keep the token alive.
        case deferredByHost
        case answered
    }
    package let handle: UInt64
    package let kind: InteractionKind
    package let interactionID: UInt64
    package let token: String
    package let owner: String
    /// How the log names the interaction: `/name`, or `component "custom_id"`.
    package let label: String
    package let responder: any InteractionResponder
    package let expiresAtMs: Int64
    private struct State {
        var stage = Stage.awaitingResponse
        /// The host's own acknowledgement in flight, once it sent one: a plugin's late answer and
        /// the apology wait for it, so Discord never gets an edit or follow-up before the
        /// acknowledgement they edit or follow.
        var acknowledgement: Task<Void, Never>?
    }
    private let state = Mutex(State())

    package init(handle: UInt64, kind: InteractionKind, interactionID: UInt64, token: String, owner: String, label: String,
                 responder: any InteractionResponder, expiresAtMs: Int64) {
        self.handle = handle
        self.kind = kind
        self.interactionID = interactionID
        self.token = token
        self.owner = owner
        self.label = label
        self.responder = responder
        self.expiresAtMs = expiresAtMs
    }

    // MARK: the plugin's answers

    /// The plugin answers with `requested`: returns the kind actually sent (an answer after the
    /// host acknowledged becomes a late reply, follow-up or edit), or nil when nothing needs
    /// sending (a deferral the host already made). Refuses what does not fit the interaction or
    /// comes out of turn.
    package func answer(_ requested: InteractionResponse.Kind) throws(InteractionRefusal) -> InteractionResponse.Kind? {
        try state.withLock { state throws(InteractionRefusal) in
            try InteractionResponseRules.resolve(requested, for: kind, stage: &state.stage, handle: handle)
        }
    }

    /// Returns once the host's acknowledgement, if it sent one, has been answered by Discord. A
    /// plugin's answer is sent after this, so a late reply never overtakes the deferral it edits.
    package func afterHostAcknowledgement() async {
        await state.withLock { $0.acknowledgement }?.value
    }

    /// Whether the plugin (or the host, for autocomplete) has given the answer, as opposed to
    /// only an acknowledgement.
    package var isAnswered: Bool { state.withLock { if case .answered = $0.stage { true } else { false } } }

    // MARK: the host's deadlines

    /// Keeps Discord's 3-second promise for a slow plugin: after `autoDeferMs` of silence the host
    /// acknowledges for it (ephemeral "thinking" for a command, a silent deferred update for a
    /// component; autocomplete cannot be deferred, so it gets no choices, which is the final
    /// answer); if the plugin then says nothing for `silenceMs` more, the user is told.
    package func armDeadlines(_ deadlines: InteractionDeadlines, on scheduler: TimerScheduler, logger: Logger) {
        scheduler.schedule(afterNs: deadlines.autoDeferMs * 1_000_000) { [self] in
            let acknowledgement = switch kind {
            // No choices beats Discord's "loading failed"; it is the final answer.
            case .autocomplete: response(.autocompleteResult, Array(#"{"choices":[]}"#.utf8))
            case .component, .modalSubmit: response(.deferredUpdate, [])  // keeps the message as it is
            case .command: response(.deferred, [], flags: 64)
            }
            guard acknowledgeForThePlugin(with: acknowledgement, finally: kind == .autocomplete) else { return }
            logger.info("\(label): the plugin did not answer within \(SchedulerTime.describe(.milliseconds(deadlines.autoDeferMs))); acknowledging for it")
            if kind == .autocomplete { return }
            scheduler.schedule(afterNs: deadlines.silenceMs * 1_000_000) { [self] in
                guard !isAnswered else { return }
                logger.warning("\(label): the plugin never answered; telling the user")
                let sorry = Array(#"{"content":"Sorry, that did not answer."}"#.utf8)
                // A command's @original is the host's "thinking" message; a component's is the
                // plugin's own message, so the apology goes beside it.
                if kind == .command { send(.editOriginal, sorry) } else { send(.followUp, sorry, flags: 64) }
            }
        }
    }

    /// Moves a still silent interaction to `deferredByHost` (to `answered` when the host's
    /// acknowledgement is the final answer) and sends the acknowledgement; false when the plugin
    /// had answered. The send starts under the stage's lock, so whoever sees `deferredByHost`
    /// also finds the acknowledgement to wait for.
    private func acknowledgeForThePlugin(with acknowledgement: InteractionResponse, finally: Bool) -> Bool {
        state.withLock { state in
            guard case .awaitingResponse = state.stage else { return false }
            state.stage = finally ? .answered : .deferredByHost
            let responder = self.responder
            state.acknowledgement = Task { _ = await responder.respond(acknowledgement) }
            return true
        }
    }

    private func response(_ kind: InteractionResponse.Kind, _ body: [UInt8], flags: UInt32 = 0) -> InteractionResponse {
        InteractionResponse(kind: kind, interactionID: interactionID, token: token, messageJSON: body, flags: flags)
    }

    /// Sends a further response of the host's (the apology), after its acknowledgement.
    private func send(_ kind: InteractionResponse.Kind, _ body: [UInt8], flags: UInt32 = 0) {
        let response = response(kind, body, flags: flags)
        Task { [self] in
            await afterHostAcknowledgement()
            _ = await responder.respond(response)
        }
    }
}

/// When the host acknowledges for a silent plugin, and when it gives up on it.
package struct InteractionDeadlines: Sendable {
    /// Discord allows 3 s for the first response; this leaves room for the request.
    package var autoDeferMs: UInt64
    package var silenceMs: UInt64

    package init(autoDeferMs: UInt64 = 2500, silenceMs: UInt64 = 15_000) {
        self.autoDeferMs = autoDeferMs
        self.silenceMs = silenceMs
    }
}

/// What a plugin's interaction handler answers: Discord's interaction types it can be routed.
public enum InteractionKind: UInt32, Sendable {
    case command = 2
    case component = 3
    case autocomplete = 4
    case modalSubmit = 5

    /// Components and modal submits are routed by custom_id prefix.
    package var isComponent: Bool { self == .component || self == .modalSubmit }
}
