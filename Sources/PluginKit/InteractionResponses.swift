/// Answering an interaction. Each call has a fire-and-forget form (failures reported later by
/// Discord are logged) and an `async` form that waits for Discord's answer and returns its body
/// (e.g. the message it created). In async contexts Swift picks the async form.
///
/// A `message` is a Discord message body: any Encodable (`{"content": …, "embeds": […]}`) or `RawJSON`.
extension Interaction {
    enum Response {
        case reply, followUp, edit, deferral
        /// Initial responses only components (update) and autocomplete (choices) take, or a modal;
        /// sent through interaction_respond with Discord's callback type.
        case updateMessage, deferUpdate, autocomplete, modal

        var name: String {
            switch self {
            case .reply: "reply"
            case .followUp: "follow-up"
            case .edit: "edit"
            case .deferral: "defer"
            case .updateMessage: "update"
            case .deferUpdate: "deferred update"
            case .autocomplete: "autocomplete choices"
            case .modal: "modal"
            }
        }

        /// bothost_response_type for interaction_respond.
        var callbackType: UInt32? {
            switch self {
            case .updateMessage: UInt32(BOTHOST_RESPOND_UPDATE_MESSAGE)
            case .deferUpdate: UInt32(BOTHOST_RESPOND_DEFER_UPDATE)
            case .autocomplete: UInt32(BOTHOST_RESPOND_AUTOCOMPLETE)
            case .modal: UInt32(BOTHOST_RESPOND_MODAL)
            case .reply, .followUp, .edit, .deferral: nil
            }
        }
    }

    private struct Content: Encodable { let content: String }

    // MARK: fire and forget

    /// Replies with a text message; `ephemeral` shows it to the invoker only.
    public func reply(_ content: String, ephemeral: Bool = false) throws {
        try respond(.reply, JSON.encode(Content(content: content)), ephemeral: ephemeral)
    }

    public func reply<M: Encodable>(message: M, ephemeral: Bool = false) throws {
        try respond(.reply, JSON.encode(message), ephemeral: ephemeral)
    }

    /// Acknowledges now ("is thinking…"); answer later with `edit` or `followUp`.
    public func `defer`(ephemeral: Bool = false) throws {
        try respond(.deferral, [], ephemeral: ephemeral)
    }

    /// Sends a further message after a reply or defer.
    public func followUp(_ content: String, ephemeral: Bool = false) throws {
        try respond(.followUp, JSON.encode(Content(content: content)), ephemeral: ephemeral)
    }

    public func followUp<M: Encodable>(message: M, ephemeral: Bool = false) throws {
        try respond(.followUp, JSON.encode(message), ephemeral: ephemeral)
    }

    /// Edits the original response (the reply, or the deferred "thinking" message).
    public func edit(_ content: String) throws {
        try respond(.edit, JSON.encode(Content(content: content)), ephemeral: false)
    }

    public func edit<M: Encodable>(message: M) throws {
        try respond(.edit, JSON.encode(message), ephemeral: false)
    }

    // MARK: components, autocomplete and modals

    /// Components: edits the message the button or menu is on (instead of a new reply).
    public func update<M: Encodable>(message: M) throws {
        try respond(.updateMessage, JSON.encode(message), ephemeral: false)
    }

    /// Components: acknowledges without a visible change; edit the message later with `edit`.
    public func deferUpdate() throws {
        try respond(.deferUpdate, [], ephemeral: false)
    }

    /// Autocomplete: offers up to 25 choices for the option the user is typing.
    public func suggest(_ choices: [AutocompleteChoice]) throws {
        try respond(.autocomplete, JSON.encode(AutocompleteChoices(choices: Array(choices.prefix(25)))), ephemeral: false)
    }

    /// Opens a modal (Discord's modal object: custom_id, title, components).
    public func showModal<M: Encodable>(_ modal: M) throws {
        try respond(.modal, JSON.encode(modal), ephemeral: false)
    }

    // MARK: awaiting Discord's answer

    @discardableResult
    nonisolated(nonsending) public func reply(_ content: String, ephemeral: Bool = false) async throws -> [UInt8] {
        try await respondAndWait(.reply, JSON.encode(Content(content: content)), ephemeral: ephemeral)
    }

    @discardableResult
    nonisolated(nonsending) public func reply<M: Encodable>(message: M, ephemeral: Bool = false) async throws -> [UInt8] {
        try await respondAndWait(.reply, JSON.encode(message), ephemeral: ephemeral)
    }

    nonisolated(nonsending) public func `defer`(ephemeral: Bool = false) async throws {
        _ = try await respondAndWait(.deferral, [], ephemeral: ephemeral)
    }

    @discardableResult
    nonisolated(nonsending) public func followUp(_ content: String, ephemeral: Bool = false) async throws -> [UInt8] {
        try await respondAndWait(.followUp, JSON.encode(Content(content: content)), ephemeral: ephemeral)
    }

    @discardableResult
    nonisolated(nonsending) public func followUp<M: Encodable>(message: M, ephemeral: Bool = false) async throws -> [UInt8] {
        try await respondAndWait(.followUp, JSON.encode(message), ephemeral: ephemeral)
    }

    @discardableResult
    nonisolated(nonsending) public func edit(_ content: String) async throws -> [UInt8] {
        try await respondAndWait(.edit, JSON.encode(Content(content: content)), ephemeral: false)
    }

    @discardableResult
    nonisolated(nonsending) public func edit<M: Encodable>(message: M) async throws -> [UInt8] {
        try await respondAndWait(.edit, JSON.encode(message), ephemeral: false)
    }
}
