/// Which response actually goes to Discord when a plugin answers an interaction, given what kind
/// of interaction it is and what has happened so far (the host may have deferred for a slow plugin).
package enum InteractionResponseRules {
    /// Checks that `requested` fits the interaction and moves `stage`. Returns the kind to send, or
    /// nil when nothing needs sending (the host already did the equivalent).
    package static func resolve(_ requested: InteractionResponse.Kind, for interaction: InteractionKind,
                        stage: inout InteractionSession.Stage, handle: UInt64) throws(InteractionRefusal) -> InteractionResponse.Kind? {
        try check(requested, fits: interaction)
        let isInitial = requested.isInitial
        switch (stage, isInitial) {
        case (.awaitingResponse, true):
            stage = .answered
            return requested
        case (.awaitingResponse, false):
            throw InteractionRefusal.outOfTurn("interaction \(handle) has no response yet; respond or defer first")
        case (.answered, true):
            throw InteractionRefusal.outOfTurn("interaction \(handle) was already answered; use followup or edit")
        case (.deferredByHost, false):
            // An edit or follow-up after the host's acknowledgement is the plugin's answer: the
            // host must not then apologise over it.
            stage = .answered
            return requested
        case (.answered, false):
            return requested
        case (.deferredByHost, true):
            stage = .answered
            return try late(requested, for: interaction, handle: handle)
        }
    }

    /// A plugin's initial response after the host acknowledged for it.
    private static func late(_ requested: InteractionResponse.Kind, for interaction: InteractionKind,
                             handle: UInt64) throws(InteractionRefusal) -> InteractionResponse.Kind? {
        switch (requested, interaction.isComponent) {
        case (.deferred, _), (.deferredUpdate, _): return nil  // already acknowledged
        case (.reply, false): return .replyAfterHostDefer
        case (.reply, true): return .followUp           // the host's deferred update shows nothing
        case (.updateMessage, _): return .editOriginal  // @original is the component's message
        default:
            throw InteractionRefusal.outOfTurn("interaction \(handle) was acknowledged by the host after 2.5 s; a \(requested.rawValue) can no longer be sent")
        }
    }

    private static func check(_ requested: InteractionResponse.Kind, fits interaction: InteractionKind) throws(InteractionRefusal) {
        let fits: Bool = switch requested {
        case .autocompleteResult: interaction == .autocomplete
        case .deferredUpdate, .updateMessage: interaction.isComponent
        case .modal: interaction == .command || interaction == .component
        case .reply, .deferred, .followUp, .editOriginal, .replyAfterHostDefer: interaction != .autocomplete
        }
        guard fits else {
            throw InteractionRefusal.doesNotFit("a \(requested.rawValue) response does not fit a \(interaction) interaction")
        }
    }
}

extension InteractionResponse.Kind {
    /// The first response to an interaction (a callback), as opposed to a follow-up or edit.
    package var isInitial: Bool { callbackTypeless == false }
    private var callbackTypeless: Bool { self == .followUp || self == .editOriginal || self == .replyAfterHostDefer }

    /// The kind for an initial response type of the ABI (Discord's callback types 4–9).
    package init?(callbackType: UInt32) {
        switch callbackType {
        case 4: self = .reply
        case 5: self = .deferred
        case 6: self = .deferredUpdate
        case 7: self = .updateMessage
        case 8: self = .autocompleteResult
        case 9: self = .modal
        default: return nil
        }
    }
}

/// Why a plugin's answer to an interaction was refused. The C adapter turns each into its status
/// (`HostAPI+Commands.swift`).
package enum InteractionRefusal: Error, Equatable, CustomStringConvertible {
    /// The answer comes out of turn: a second initial response, a follow-up before any response,
    /// a kind that can no longer be sent after the host's acknowledgement (CONFLICT).
    case outOfTurn(String)
    /// The kind of answer does not fit the kind of interaction (INVALID_ARGUMENT).
    case doesNotFit(String)

    package var description: String {
        switch self {
        case .outOfTurn(let detail), .doesNotFit(let detail): detail
        }
    }
}
