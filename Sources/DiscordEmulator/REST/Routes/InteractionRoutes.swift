/// The initial interaction response: within 3 seconds of the interaction (emulator clock), once.
extension RESTService {
    static let interactionResponseWindowMs: Int64 = 3_000
    /// Message flags Discord sets on interaction messages.
    static let ephemeralFlag = 64
    static let loadingFlag = 128

    func interactionCallback(_ id: UInt64, _ token: String, _ request: RESTRequest, nowMs: Int64) -> RESTResponse {
        let response: RESTResponse
        do {
            response = try answerCallback(id, token, request, nowMs: nowMs)
        } catch {
            response = error
        }
        let type = (try? WireJSONParser.parse(request.body))?["type"]?.int64Value.map(Int.init)
        env.recorder.record(RecordedInteractionResponse(
            interactionID: id, kind: .callback, type: type, body: String(decoding: request.body, as: UTF8.self),
            status: response.status, timeMs: nowMs))
        return response
    }

    /// Callback types each interaction type accepts.
    private static func allowedCallbacks(for interactionType: Int) -> Set<Int> {
        switch interactionType {
        case 1: [1]
        case 2: [4, 5, 9]
        case 3: [4, 5, 6, 7, 9]
        case 4: [8]
        case 5: [4, 5, 6, 7]
        default: []
        }
    }

    private func answerCallback(_ id: UInt64, _ token: String, _ request: RESTRequest, nowMs: Int64) throws(RESTResponse) -> RESTResponse {
        let withResponse = try request.booleanQuery("with_response") ?? false
        let body = try request.jsonObjectBody()
        var errors = FormErrors()
        guard let type = body["type"]?.int64Value.map(Int.init) else {
            errors.required(["type"])
            throw errors.response
        }
        let data = body["data"].flatMap { $0.objectMembers != nil ? $0 : nil } ?? .object([])
        var input: MessageInput?
        switch type {
        case 4, 7: input = try MessageValidation.parse(data)
        case 5: input = try MessageValidation.parse(data)
        case 8:
            if let choices = data["choices"]?.arrayValue, choices.count > 25 { errors.maxLength(["data", "choices"], 25) }
        case 9:
            if data["custom_id"]?.stringValue == nil { errors.required(["data", "custom_id"]) }
            if data["title"]?.stringValue == nil { errors.required(["data", "title"]) }
            if (data["components"]?.arrayValue ?? []).isEmpty { errors.required(["data", "components"]) }
        default: break
        }
        guard errors.isEmpty else { throw errors.response }

        let (interaction, created, updated) = try world.withLock { world throws(RESTResponse) -> (StoredInteraction, StoredMessage?, StoredMessage?) in
            guard var interaction = world.interactions[id], interaction.token == token,
                  nowMs - interaction.createdAtMs <= Self.interactionResponseWindowMs else {
                throw DiscordErrors.unknownInteraction
            }
            guard interaction.initialResponseType == nil else { throw DiscordErrors.alreadyAcknowledged }
            guard Self.allowedCallbacks(for: interaction.type).contains(type) else {
                var errors = FormErrors()
                errors.add(["type"], "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid for this interaction")
                throw errors.response
            }
            var created: StoredMessage?
            var updated: StoredMessage?
            switch type {
            case 4:
                guard let input, !input.isEmpty else { throw DiscordErrors.emptyMessage }
                var message = interactionMessage(for: interaction, nowMs: nowMs)
                apply(input, to: &message)
                message.flags = (input.flags ?? 0) & Self.ephemeralFlag
                created = message
            case 5:
                var message = interactionMessage(for: interaction, nowMs: nowMs)
                message.flags = Self.loadingFlag | ((input?.flags ?? 0) & Self.ephemeralFlag)
                created = message
            case 7:
                guard let input, let sourceID = interaction.sourceMessageID,
                      var message = world.messages.message(sourceID, in: interaction.channelID) else { throw DiscordErrors.unknownMessage }
                try edit(&message, with: input, nowMs: nowMs)
                world.messages.update(message)
                updated = message
            default: break
            }
            if let message = created {
                world.messages.insert(message)
                interaction.originalMessageID = message.id
            }
            interaction.initialResponseType = type
            world.interactions[id] = interaction
            return (interaction, created, updated)
        }
        if let created { dispatchMessage("MESSAGE_CREATE", created) }
        if let updated { dispatchMessage("MESSAGE_UPDATE", updated) }
        guard withResponse else { return .noContent }
        let message = created ?? updated
        var resource: WireJSON = ["type": .int(Int64(type))]
        if let message { resource = resource.setting("message", messageObject(message)) }
        return .json([
            "interaction": [
                "id": .snowflake(interaction.id),
                "type": .int(Int64(interaction.type)),
                "activity_instance_id": nil,
                "response_message_id": .optionalSnowflake(message?.id),
                "response_message_loading": .bool(type == 5),
                "response_message_ephemeral": .bool((message?.flags ?? 0) & Self.ephemeralFlag != 0),
            ],
            "resource": resource,
        ])
    }

    /// A message posted on behalf of the application in answer to an interaction.
    func interactionMessage(for interaction: StoredInteraction, nowMs: Int64, followUp: Bool = false) -> StoredMessage {
        var message = StoredMessage(
            id: env.snowflakes.next(), channelID: interaction.channelID, guildID: interaction.guildID,
            author: env.topology.botUser, createdAtMs: nowMs)
        message.type = followUp || interaction.type != 2 ? 0 : 20
        message.webhookID = env.configuration.applicationID
        message.applicationID = env.configuration.applicationID
        message.interactionID = interaction.id
        message.interactionMetadata = InteractionPayloads.metadata(interaction, responseMessageID: followUp ? interaction.originalMessageID : nil)
        return message
    }
}
