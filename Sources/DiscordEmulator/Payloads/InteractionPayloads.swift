/// The INTERACTION_CREATE object for an application command invocation.
enum InteractionPayloads {
    static func applicationCommand(
        _ interaction: StoredInteraction, commandID: UInt64, commandType: Int, options: WireJSON,
        applicationID: UInt64, permissions: String, topology: Topology
    ) -> WireJSON {
        var data: WireJSON = [
            "id": .snowflake(commandID),
            "name": .string(interaction.commandName),
            "type": .int(Int64(commandType)),
        ]
        if let list = options.arrayValue, !list.isEmpty { data = data.setting("options", options) }
        if let guildID = interaction.guildID { data = data.setting("guild_id", .snowflake(guildID)) }

        var object: WireJSON = [
            "app_permissions": .string(GuildPayloads.everyonePermissions),
            "application_id": .snowflake(applicationID),
            "attachment_size_limit": 10_485_760,
            "authorizing_integration_owners": interaction.guildID.map { ["0": .snowflake($0)] } ?? ["1": .snowflake(interaction.user.id)],
        ]
        if let (channel, guildID) = topology.channel(interaction.channelID) {
            object = object.setting("channel", GuildPayloads.channel(channel, guildID: guildID, position: 0))
        }
        object = object.setting("channel_id", .snowflake(interaction.channelID))
            .setting("context", .int(interaction.guildID == nil ? 1 : 0))
            .setting("data", data)
            .setting("entitlement_sku_ids", []).setting("entitlements", [])
        if let guildID = interaction.guildID {
            object = object
                .setting("guild", ["features": [], "id": .snowflake(guildID), "locale": "en-US"])
                .setting("guild_id", .snowflake(guildID))
                .setting("guild_locale", "en-US")
        }
        object = object.setting("id", .snowflake(interaction.id)).setting("locale", "en-US")
        if interaction.guildID != nil {
            object = object.setting("member", UserPayloads.member(interaction.user, permissions: permissions))
        } else {
            object = object.setting("user", UserPayloads.user(interaction.user))
        }
        return object.setting("token", .string(interaction.token)).setting("type", .int(Int64(interaction.type)))
            .setting("version", 1)
    }

    /// `interaction_metadata` on messages that answer an interaction.
    static func metadata(_ interaction: StoredInteraction, responseMessageID: UInt64? = nil) -> WireJSON {
        var object: WireJSON = [
            "id": .snowflake(interaction.id),
            "type": .int(Int64(interaction.type)),
            "user": UserPayloads.user(interaction.user),
            "authorizing_integration_owners": interaction.guildID.map { ["0": .snowflake($0)] } ?? ["1": .snowflake(interaction.user.id)],
            "name": .string(interaction.commandName),
            "command_type": 1,
        ]
        if let responseMessageID { object = object.setting("original_response_message_id", .snowflake(responseMessageID)) }
        return object
    }
}
