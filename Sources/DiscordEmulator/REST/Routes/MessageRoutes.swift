/// Channel messages: list, create (with nonce dedupe), get, edit (with the old-message edit
/// limit), delete; each change is dispatched to the gateway like Discord does.
extension RESTService {
    /// Edits to messages older than this count against the 30046 budget.
    static let oldMessageAgeMs: Int64 = 60 * 60 * 1000
    static let oldMessageEditsPerHour = 3

    func listMessages(_ channelID: UInt64, _ request: RESTRequest) throws(RESTResponse) -> RESTResponse {
        guard env.topology.channel(channelID) != nil else { throw DiscordErrors.unknownChannel }
        let query = request.query
        var limit = 50
        if let text = query["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                var errors = FormErrors()
                errors.add(["limit"], "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")
                throw errors.response
            }
            limit = value
        }
        let all = world.withLock { $0.messages.messages(in: channelID) }
        var selected: [StoredMessage]
        if let before = query["before"].flatMap(UInt64.init) {
            selected = Array(all.filter { $0.id < before }.suffix(limit))
        } else if let after = query["after"].flatMap(UInt64.init) {
            selected = Array(all.filter { $0.id > after }.prefix(limit))
        } else if let around = query["around"].flatMap(UInt64.init) {
            let index = all.firstIndex { $0.id >= around } ?? all.count
            let lower = max(0, index - limit / 2)
            selected = Array(all[lower..<min(all.count, lower + limit)])
        } else {
            selected = Array(all.suffix(limit))
        }
        selected.reverse()  // newest first
        return .json(.array(selected.map { messageObject($0) }))
    }

    func getMessage(_ channelID: UInt64, _ messageID: UInt64) throws(RESTResponse) -> RESTResponse {
        guard env.topology.channel(channelID) != nil else { throw DiscordErrors.unknownChannel }
        guard let message = world.withLock({ $0.messages.message(messageID, in: channelID) }) else { throw DiscordErrors.unknownMessage }
        return .json(messageObject(message))
    }

    func createMessage(_ channelID: UInt64, _ request: RESTRequest, nowMs: Int64) throws(RESTResponse) -> RESTResponse {
        guard let (_, guildID) = env.topology.channel(channelID) else { throw DiscordErrors.unknownChannel }
        let input = try MessageValidation.parse(try request.jsonObjectBody())
        guard !input.isEmpty else { throw DiscordErrors.emptyMessage }
        let nonceKey = input.enforceNonce ? input.nonce.map(Self.nonceKey) : nil
        let outcome: Result<(StoredMessage, isNew: Bool), RESTResponse> = world.withLock { world in
            if let nonceKey, let existing = world.messages.messageForNonce(nonceKey, channelID: channelID, nowMs: nowMs) {
                return .success((existing, false))
            }
            if let referenced = input.referencedMessageID, world.messages.message(referenced, in: channelID) == nil {
                var errors = FormErrors()
                errors.add(["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
                return .failure(errors.response)
            }
            var message = StoredMessage(id: env.snowflakes.next(), channelID: channelID, guildID: guildID, author: env.topology.botUser, createdAtMs: nowMs)
            message.type = input.referencedMessageID == nil ? 0 : 19
            apply(input, to: &message)
            message.tts = input.tts
            message.nonce = input.nonce
            message.referencedMessageID = input.referencedMessageID
            world.messages.insert(message)
            if let nonceKey { world.messages.rememberNonce(nonceKey, channelID: channelID, messageID: message.id, nowMs: nowMs) }
            return .success((message, true))
        }
        let (message, isNew) = try outcome.get()
        if isNew { dispatchMessage("MESSAGE_CREATE", message) }
        return .json(messageObject(message))
    }

    func editMessage(_ channelID: UInt64, _ messageID: UInt64, _ request: RESTRequest, nowMs: Int64) throws(RESTResponse) -> RESTResponse {
        guard env.topology.channel(channelID) != nil else { throw DiscordErrors.unknownChannel }
        let input = try MessageValidation.parse(try request.jsonObjectBody())
        let message = try world.withLock { world throws(RESTResponse) -> StoredMessage in
            guard var message = world.messages.message(messageID, in: channelID) else { throw DiscordErrors.unknownMessage }
            guard message.author.id == env.topology.botUser.id else { throw DiscordErrors.cannotEditOthersMessage }
            try edit(&message, with: input, nowMs: nowMs)
            world.messages.update(message)
            return message
        }
        dispatchMessage("MESSAGE_UPDATE", message)
        return .json(messageObject(message))
    }

    func deleteMessage(_ channelID: UInt64, _ messageID: UInt64) throws(RESTResponse) -> RESTResponse {
        guard let (_, guildID) = env.topology.channel(channelID) else { throw DiscordErrors.unknownChannel }
        let removed = world.withLock { $0.messages.remove(messageID, in: channelID) }
        guard removed else { throw DiscordErrors.unknownMessage }
        dispatchMessageDelete(messageID, channelID: channelID, guildID: guildID)
        return .noContent
    }

    // MARK: Shared with interaction responses

    /// Applies the fields an edit or create sets.
    func apply(_ input: MessageInput, to message: inout StoredMessage) {
        if let content = input.content { message.content = content }
        if let embeds = input.embeds { message.embeds = embeds }
        if let components = input.components { message.components = components }
        if let flags = input.flags { message.flags = flags }
        if input.content != nil { message.mentionIDs = input.mentionIDs() }
    }

    /// An edit as Discord judges it: the old-message budget (30046), then the result must not
    /// be empty (50006).
    func edit(_ message: inout StoredMessage, with input: MessageInput, nowMs: Int64) throws(RESTResponse) {
        if nowMs - message.createdAtMs > Self.oldMessageAgeMs {
            let recent = message.agedEditTimesMs.filter { nowMs - $0 < Self.oldMessageAgeMs }
            guard recent.count < Self.oldMessageEditsPerHour else { throw DiscordErrors.oldMessageEditLimit }
            message.agedEditTimesMs = recent + [nowMs]
        }
        var edited = message
        apply(input, to: &edited)
        guard !edited.isEmpty else { throw DiscordErrors.emptyMessage }
        edited.editedAtMs = nowMs
        edited.editCount += 1
        message = edited
    }

    func messageObject(_ message: StoredMessage, forGateway: Bool = false) -> WireJSON {
        let referenced = message.referencedMessageID.flatMap { id in world.withLock { $0.messages.message(id, in: message.channelID) } }
        return MessagePayloads.message(message, topology: env.topology, referenced: referenced, forGateway: forGateway)
    }

    /// MESSAGE_CREATE / MESSAGE_UPDATE to the sessions whose intents cover it. Without
    /// MESSAGE_CONTENT a session sees other people's messages without content, unless the bot
    /// is mentioned. Ephemeral messages are never dispatched.
    func dispatchMessage(_ event: String, _ message: StoredMessage) {
        guard message.flags & 64 == 0 else { return }
        let full = messageObject(message, forGateway: true)
        let fullBytes = full.bytes
        let redactedBytes = MessagePayloads.redacted(full).bytes
        let bot = env.topology.botUser.id
        let exempt = message.author.id == bot || message.mentionIDs.contains(bot)
        let intent = message.guildID == nil ? Intents.directMessages : Intents.guildMessages
        hub.dispatch(event: event, target: .guild(message.guildID)) { session in
            guard session.intents & intent != 0 else { return nil }
            return exempt || session.intents & Intents.messageContent != 0 ? fullBytes : redactedBytes
        }
    }

    func dispatchMessageDelete(_ messageID: UInt64, channelID: UInt64, guildID: UInt64?) {
        var payload: WireJSON = ["id": .snowflake(messageID), "channel_id": .snowflake(channelID)]
        if let guildID { payload = payload.setting("guild_id", .snowflake(guildID)) }
        let bytes = payload.bytes
        let intent = guildID == nil ? Intents.directMessages : Intents.guildMessages
        hub.dispatch(event: "MESSAGE_DELETE", target: .guild(guildID)) { session in
            session.intents & intent != 0 ? bytes : nil
        }
    }

    static func nonceKey(_ nonce: WireJSON) -> String {
        switch nonce {
        case .string(let text): text
        default: nonce.text
        }
    }
}
