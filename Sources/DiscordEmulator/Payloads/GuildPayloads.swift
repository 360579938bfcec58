/// Channel and guild objects: the full GUILD_CREATE form and READY's unavailable stubs.
enum GuildPayloads {
    /// What @everyone may do in the emulated guilds: Discord's usual member set (view, send,
    /// embed, attach, react, read history, connect, speak, use application commands, threads …).
    static let everyonePermissions = "1799804002094657"

    static func channel(_ channel: EmulatedChannel, guildID: UInt64, position: Int, includeGuildID: Bool = true) -> WireJSON {
        var object: WireJSON = [
            "id": .snowflake(channel.id),
            "type": .int(Int64(channel.kind.rawValue)),
            "last_message_id": nil,
            "flags": 0,
        ]
        if includeGuildID { object = object.setting("guild_id", .snowflake(guildID)) }
        object = object.setting("name", .string(channel.name)).setting("parent_id", nil)
            .setting("rate_limit_per_user", 0)
        switch channel.kind {
        case .text: object = object.setting("topic", nil)
        case .voice: object = object.setting("bitrate", 64000).setting("user_limit", 0).setting("rtc_region", nil)
        }
        return object.setting("position", .int(Int64(position))).setting("permission_overwrites", [])
            .setting("nsfw", false)
    }

    static func unavailable(_ guildID: UInt64) -> WireJSON {
        ["id": .snowflake(guildID), "unavailable": true]
    }

    static func everyoneRole(guildID: UInt64) -> WireJSON {
        [
            "id": .snowflake(guildID),
            "name": "@everyone",
            "description": nil,
            "permissions": .string(everyonePermissions),
            "position": 0,
            "color": 0,
            "colors": ["primary_color": 0, "secondary_color": nil, "tertiary_color": nil],
            "hoist": false,
            "managed": false,
            "mentionable": false,
            "icon": nil,
            "unicode_emoji": nil,
            "flags": 0,
        ]
    }

    /// GUILD_CREATE as sent after READY: the guild with channels, members and voice states.
    static func guildCreate(_ guild: EmulatedGuild, bot: EmulatedUser, voiceStates: [WireJSON] = [], presences: [WireJSON] = []) -> WireJSON {
        let channels = guild.channels.enumerated().map { channel($1, guildID: guild.id, position: $0, includeGuildID: false) }
        let members = ([bot] + guild.members).map { UserPayloads.member($0) }
        let firstText = guild.channels.first { $0.kind == .text }
        return [
            "id": .snowflake(guild.id),
            "name": .string(guild.name),
            "icon": nil,
            "description": nil,
            "home_header": nil,
            "splash": nil,
            "discovery_splash": nil,
            "features": [],
            "banner": nil,
            "owner_id": .snowflake(guild.ownerID ?? guild.members.first?.id ?? bot.id),
            "application_id": nil,
            "region": "deprecated",
            "afk_channel_id": nil,
            "afk_timeout": 300,
            "system_channel_id": .optionalSnowflake(firstText?.id),
            "system_channel_flags": 0,
            "widget_enabled": false,
            "widget_channel_id": nil,
            "verification_level": 0,
            "roles": [everyoneRole(guildID: guild.id)],
            "default_message_notifications": 0,
            "mfa_level": 0,
            "explicit_content_filter": 0,
            "max_presences": nil,
            "max_members": 25_000_000,
            "max_stage_video_channel_users": 50,
            "max_video_channel_users": 25,
            "vanity_url_code": nil,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "rules_channel_id": nil,
            "safety_alerts_channel_id": nil,
            "public_updates_channel_id": nil,
            "hub_type": nil,
            "premium_progress_bar_enabled": false,
            "latest_onboarding_question_id": nil,
            "nsfw": false,
            "nsfw_level": 0,
            "emojis": [],
            "stickers": [],
            "incidents_data": nil,
            "inventory_settings": nil,
            "embed_enabled": false,
            "embed_channel_id": nil,
            "joined_at": .string(UserPayloads.joinedAt),
            "large": false,
            "lazy": true,
            "member_count": .int(Int64(members.count)),
            "unavailable": false,
            "channels": .array(channels),
            "threads": [],
            "members": .array(members),
            "voice_states": .array(voiceStates),
            "presences": .array(presences),
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "activity_instances": [],
            "version": 1_700_000_000_000,
        ]
    }
}
