/// What a plugin asked to send in answer to an interaction.
public struct InteractionResponse: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The initial response with a message (Discord callback type 4).
        case reply
        /// The initial "thinking…" acknowledgement (callback type 5).
        case deferred
        /// Components: acknowledge now, update the component's message later (callback type 6).
        case deferredUpdate
        /// Components: edit the message the component is on (callback type 7).
        case updateMessage
        /// Autocomplete: the choices (callback type 8); the body is `{"choices": […]}`.
        case autocompleteResult
        /// Open a modal (callback type 9); the body is the modal.
        case modal
        /// A further message (webhook follow-up).
        case followUp
        /// An edit of the original response (webhook @original).
        case editOriginal
        /// The plugin's reply after the host had already deferred for it: delivered as an edit of
        /// the deferred message when visibility matches, else as a follow-up.
        case replyAfterHostDefer
    }
    public let kind: Kind
    public let interactionID: UInt64
    public let token: String
    /// The callback's data as JSON (a message, choices or a modal); empty for the deferrals.
    public let messageJSON: [UInt8]
    /// Message flags (64 = ephemeral).
    public let flags: UInt32

    package init(kind: Kind, interactionID: UInt64, token: String, messageJSON: [UInt8], flags: UInt32) {
        self.kind = kind
        self.interactionID = interactionID
        self.token = token
        self.messageJSON = messageJSON
        self.flags = flags
    }

    public var isEphemeral: Bool { flags & 64 != 0 }
    public var messageText: String { String(decoding: messageJSON, as: UTF8.self) }

    /// Discord's interaction callback type for an initial response; nil for webhook follow-ups and edits.
    public var callbackType: Int? {
        switch kind {
        case .reply: 4
        case .deferred: 5
        case .deferredUpdate: 6
        case .updateMessage: 7
        case .autocompleteResult: 8
        case .modal: 9
        case .followUp, .editOriginal, .replyAfterHostDefer: nil
        }
    }
}

/// Why a response could not be delivered (Discord's error body, a timeout …).
public struct InteractionResponseError: Error, Sendable {
    public let status: Int32
    public let message: String
    public init(status: Int32, message: String) {
        self.status = status
        self.message = message
    }
}

/// Delivers interaction responses. Discord's REST client implements it; so do the console and the
/// test recorder.
public protocol InteractionResponder: Sendable {
    /// Sends the response; returns the response body (for example the created message JSON).
    func respond(_ response: InteractionResponse) async -> Result<[UInt8], InteractionResponseError>
}
