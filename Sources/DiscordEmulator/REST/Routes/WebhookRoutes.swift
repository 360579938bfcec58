/// Interaction follow-ups under /webhooks/{application}/{token}: the token lives 15 minutes and
/// only works once the interaction was acknowledged.
extension RESTService {
    static let interactionTokenLifetimeMs: Int64 = 15 * 60 * 1000

    func createFollowUp(_ applicationID: UInt64, _ token: String, _ request: RESTRequest, nowMs: Int64) -> RESTResponse {
        // Recorded against the interaction the token names, even when the call is refused.
        let interactionID = world.withLock { $0.interactions.find(token: token)?.id } ?? 0
        let response: RESTResponse
        do {
            let interaction = try interactionForToken(applicationID, token, nowMs: nowMs)
            response = try followUp(interaction, request, nowMs: nowMs)
        } catch {
            response = error
        }
        recordWebhook(interactionID, .followUp, request, response, nowMs: nowMs)
        return response
    }

    func webhookMessage(_ method: String, _ applicationID: UInt64, _ token: String, _ reference: String, _ request: RESTRequest, nowMs: Int64) -> RESTResponse {
        // Recorded against the interaction the token names, even when the call is refused.
        let interactionID = world.withLock { $0.interactions.find(token: token)?.id } ?? 0
        let response: RESTResponse
        do {
            let interaction = try interactionForToken(applicationID, token, nowMs: nowMs)
            response = try webhookMessage(method, interaction, reference, request, nowMs: nowMs)
        } catch {
            response = error
        }
        let original = reference == "@original"
        switch method {
        case "PATCH": recordWebhook(interactionID, original ? .editOriginal : .editFollowUp, request, response, nowMs: nowMs)
        case "DELETE": recordWebhook(interactionID, original ? .deleteOriginal : .deleteFollowUp, request, response, nowMs: nowMs)
        default: break
        }
        return response
    }

    private func interactionForToken(_ applicationID: UInt64, _ token: String, nowMs: Int64) throws(RESTResponse) -> StoredInteraction {
        guard applicationID == env.configuration.applicationID,
              let interaction = world.withLock({ $0.interactions.find(token: token) }),
              interaction.initialResponseType != nil else {
            throw DiscordErrors.unknownWebhook
        }
        guard nowMs - interaction.createdAtMs <= Self.interactionTokenLifetimeMs else {
            throw RESTResponse.error(status: 401, code: 50027, message: "Invalid Webhook Token")
        }
        return interaction
    }

    private func followUp(_ interaction: StoredInteraction, _ request: RESTRequest, nowMs: Int64) throws(RESTResponse) -> RESTResponse {
        let input = try MessageValidation.parse(try request.jsonObjectBody())
        guard !input.isEmpty else { throw DiscordErrors.emptyMessage }
        let (message, isNew) = try world.withLock { world throws(RESTResponse) -> (StoredMessage, Bool) in
            // Right after a deferred response, a follow-up fills in the loading message instead
            // of posting a new one (Discord keeps this for backwards compatibility).
            if let originalID = interaction.originalMessageID,
               var original = world.messages.message(originalID, in: interaction.channelID),
               original.flags & Self.loadingFlag != 0 {
                apply(input, to: &original)
                original.flags = original.flags & Self.ephemeralFlag
                original.editedAtMs = nowMs
                world.messages.update(original)
                return (original, false)
            }
            var message = interactionMessage(for: interaction, nowMs: nowMs, followUp: true)
            apply(input, to: &message)
            message.flags = (input.flags ?? 0) & (Self.ephemeralFlag | 4 | 4096)
            world.messages.insert(message)
            world.interactions[interaction.id]?.followUpIDs.append(message.id)
            return (message, true)
        }
        dispatchMessage(isNew ? "MESSAGE_CREATE" : "MESSAGE_UPDATE", message)
        return .json(messageObject(message))
    }

    private func webhookMessage(_ method: String, _ interaction: StoredInteraction, _ reference: String, _ request: RESTRequest, nowMs: Int64) throws(RESTResponse) -> RESTResponse {
        let messageID: UInt64
        if reference == "@original" {
            guard let original = interaction.originalMessageID else { throw DiscordErrors.unknownMessage }
            messageID = original
        } else {
            guard let id = UInt64(reference), id == interaction.originalMessageID || interaction.followUpIDs.contains(id) else {
                throw DiscordErrors.unknownMessage
            }
            messageID = id
        }
        let channelID = interaction.channelID
        switch method {
        case "GET":
            guard let message = world.withLock({ $0.messages.message(messageID, in: channelID) }) else { throw DiscordErrors.unknownMessage }
            return .json(messageObject(message))
        case "PATCH":
            let input = try MessageValidation.parse(try request.jsonObjectBody())
            let message = try world.withLock { world throws(RESTResponse) -> StoredMessage in
                guard var message = world.messages.message(messageID, in: channelID) else { throw DiscordErrors.unknownMessage }
                let wasLoading = message.flags & Self.loadingFlag != 0
                var input = input
                // Editing a deferred response completes it; its ephemeral state cannot change.
                if wasLoading { input.flags = message.flags & Self.ephemeralFlag } else if let flags = input.flags {
                    input.flags = (message.flags & Self.ephemeralFlag) | (flags & ~(Self.ephemeralFlag | Self.loadingFlag))
                }
                try edit(&message, with: input, nowMs: nowMs)
                world.messages.update(message)
                return message
            }
            dispatchMessage("MESSAGE_UPDATE", message)
            return .json(messageObject(message))
        default:
            guard let message = world.withLock({ $0.messages.message(messageID, in: channelID) }),
                  world.withLock({ $0.messages.remove(messageID, in: channelID) }) else { throw DiscordErrors.unknownMessage }
            if message.flags & Self.ephemeralFlag == 0 {
                dispatchMessageDelete(messageID, channelID: channelID, guildID: interaction.guildID)
            }
            return .noContent
        }
    }

    private func recordWebhook(_ interactionID: UInt64, _ kind: RecordedInteractionResponse.Kind, _ request: RESTRequest, _ response: RESTResponse, nowMs: Int64) {
        env.recorder.record(RecordedInteractionResponse(
            interactionID: interactionID, kind: kind, type: nil, body: String(decoding: request.body, as: UTF8.self),
            status: response.status, timeMs: nowMs))
    }
}
