/// What the emulated users do: post messages, run slash commands, click buttons. Each is stored
/// and dispatched exactly as Discord would deliver it.
extension RESTService {
    func userSendsMessage(channelID: UInt64, content: String, userID: UInt64) -> UInt64 {
        let guildID = env.topology.channel(channelID)?.guildID
        var message = StoredMessage(
            id: env.snowflakes.next(), channelID: channelID, guildID: guildID,
            author: env.topology.user(userID), createdAtMs: env.clock.nowMs())
        message.content = content
        message.mentionIDs = MessagePayloads.mentionedIDs(in: content)
        message.nonce = .string(String(env.snowflakes.next()))
        world.withLock { $0.messages.insert(message) }
        dispatchMessage("MESSAGE_CREATE", message)
        return message.id
    }

    func userInvokesCommand(
        name: String, options: WireJSON, guildID: UInt64?, channelID: UInt64, userID: UInt64, permissions: String,
        type: Int = 2
    ) -> (interactionID: UInt64, token: String) {
        let id = env.snowflakes.next()
        let interaction = StoredInteraction(
            id: id, token: RandomTokens.interactionToken(interactionID: id), type: type,
            guildID: guildID ?? env.topology.channel(channelID)?.guildID, channelID: channelID,
            user: env.topology.user(userID), commandName: name, createdAtMs: env.clock.nowMs())
        let command = world.withLock { world -> StoredCommand? in
            world.interactions[id] = interaction
            return world.commands.find(name: name, guildID: interaction.guildID)
        }
        let payload = InteractionPayloads.applicationCommand(
            interaction, commandID: command?.id ?? env.snowflakes.next(), commandType: command?.type ?? 1, options: options,
            applicationID: env.configuration.applicationID, permissions: permissions, topology: env.topology)
        let bytes = payload.bytes
        hub.dispatch(event: "INTERACTION_CREATE", target: .guild(interaction.guildID)) { _ in bytes }
        return (id, interaction.token)
    }

    /// A click on a button of a message; nil when the message is unknown.
    func userClicksButton(messageID: UInt64, channelID: UInt64, customID: String, userID: UInt64) -> (interactionID: UInt64, token: String)? {
        guard let source = world.withLock({ $0.messages.message(messageID, in: channelID) }) else { return nil }
        let id = env.snowflakes.next()
        var interaction = StoredInteraction(
            id: id, token: RandomTokens.interactionToken(interactionID: id), type: 3, guildID: source.guildID,
            channelID: channelID, user: env.topology.user(userID), commandName: "", createdAtMs: env.clock.nowMs())
        interaction.sourceMessageID = messageID
        world.withLock { $0.interactions[id] = interaction }
        var payload: WireJSON = [
            "app_permissions": .string(GuildPayloads.everyonePermissions),
            "application_id": .snowflake(env.configuration.applicationID),
            "channel_id": .snowflake(channelID),
            "data": ["component_type": 2, "custom_id": .string(customID)],
            "entitlements": [],
            "id": .snowflake(id),
            "locale": "en-US",
            "message": messageObject(source),
            "token": .string(interaction.token),
            "type": 3,
            "version": 1,
        ]
        if let guildID = source.guildID {
            payload = payload.setting("guild_id", .snowflake(guildID)).setting("guild_locale", "en-US")
                .setting("member", UserPayloads.member(interaction.user, permissions: GuildPayloads.everyonePermissions))
        } else {
            payload = payload.setting("user", UserPayloads.user(interaction.user))
        }
        let bytes = payload.bytes
        hub.dispatch(event: "INTERACTION_CREATE", target: .guild(source.guildID)) { _ in bytes }
        return (id, interaction.token)
    }
}
