/// Message objects: the REST form, and the gateway form that adds `guild_id` and `member`.
enum MessagePayloads {
    static func message(_ message: StoredMessage, topology: Topology, referenced: StoredMessage? = nil, forGateway: Bool = false) -> WireJSON {
        let mentions: [WireJSON] = message.mentionIDs.map { id in
            let user = topology.user(id)
            var object = UserPayloads.user(user)
            if forGateway, let guildID = message.guildID, topology.isMember(id, of: guildID) {
                object = object.setting("member", UserPayloads.member(user, withUser: false))
            }
            return object
        }
        var object: WireJSON = [
            "type": .int(Int64(message.type)),
            "content": .string(message.content),
            "mentions": .array(mentions),
            "mention_roles": [],
            "attachments": [],
            "embeds": .array(message.embeds),
            "timestamp": .string(DiscordTimestamp.format(ms: message.createdAtMs)),
            "edited_timestamp": message.editedAtMs.map { .string(DiscordTimestamp.format(ms: $0)) } ?? .null,
            "flags": .int(Int64(message.flags)),
            "components": .array(message.components),
            "id": .snowflake(message.id),
            "channel_id": .snowflake(message.channelID),
            "author": UserPayloads.user(message.author),
            "pinned": false,
            "mention_everyone": false,
            "tts": .bool(message.tts),
        ]
        if let nonce = message.nonce { object = object.setting("nonce", nonce) }
        if let webhookID = message.webhookID { object = object.setting("webhook_id", .snowflake(webhookID)) }
        if let applicationID = message.applicationID { object = object.setting("application_id", .snowflake(applicationID)) }
        if let metadata = message.interactionMetadata { object = object.setting("interaction_metadata", metadata) }
        if let referencedID = message.referencedMessageID {
            object = object.setting("message_reference", [
                "type": 0,
                "channel_id": .snowflake(message.channelID),
                "message_id": .snowflake(referencedID),
                "guild_id": .optionalSnowflake(message.guildID),
            ])
            object = object.setting("referenced_message", referenced.map { Self.message($0, topology: topology) } ?? .null)
        }
        if forGateway, let guildID = message.guildID {
            let channelType = topology.channel(message.channelID).map { Int64($0.channel.kind.rawValue) } ?? 0
            object = object.setting("channel_type", .int(channelType)).setting("guild_id", .snowflake(guildID))
            if message.webhookID == nil, topology.isMember(message.author.id, of: guildID) {
                object = object.setting("member", UserPayloads.member(message.author, withUser: false))
            }
        }
        return object
    }

    /// What a session without the MESSAGE_CONTENT intent sees of someone else's message.
    static func redacted(_ object: WireJSON) -> WireJSON {
        object.setting("content", "").setting("embeds", []).setting("attachments", []).setting("components", [])
    }

    /// `<@123>` and `<@!123>` mentions in the content, in order, without repeats.
    static func mentionedIDs(in content: String) -> [UInt64] {
        var ids: [UInt64] = []
        var rest = Substring(content)
        while let start = rest.range(of: "<@") {
            rest = rest[start.upperBound...]
            if rest.first == "!" { rest = rest.dropFirst() }
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            if rest.dropFirst(digits.count).first == ">", let id = UInt64(digits), !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}
