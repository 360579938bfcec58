/// User and guild-member objects as Discord serialises them.
enum UserPayloads {
    /// Everyone in the emulated guilds joined at the same moment.
    static let joinedAt = DiscordTimestamp.format(ms: 1_704_067_200_000)

    static func user(_ user: EmulatedUser) -> WireJSON {
        var object: WireJSON = [
            "id": .snowflake(user.id),
            "username": .string(user.username),
            "avatar": nil,
            "discriminator": "0",
            "public_flags": 0,
            "flags": 0,
        ]
        if user.isBot { object = object.setting("bot", true) }
        return object
            .setting("banner", nil)
            .setting("accent_color", nil)
            // Bots have no display name; people usually do.
            .setting("global_name", user.isBot ? nil : .string(user.username))
            .setting("avatar_decoration_data", nil)
            .setting("collectibles", nil)
            .setting("display_name_styles", nil)
            .setting("banner_color", nil)
            .setting("clan", nil)
            .setting("primary_guild", nil)
    }

    /// A guild member. `withUser` is false inside MESSAGE_CREATE, where the author is separate.
    static func member(_ member: EmulatedUser, withUser: Bool = true, permissions: String? = nil) -> WireJSON {
        var object: WireJSON = [
            "avatar": nil,
            "banner": nil,
            "communication_disabled_until": nil,
            "flags": 0,
            "joined_at": .string(joinedAt),
            "nick": nil,
            "pending": false,
            "premium_since": nil,
            "roles": [],
            "unusual_dm_activity_until": nil,
            "collectibles": nil,
            "mute": false,
            "deaf": false,
        ]
        if let permissions { object = object.setting("permissions", .string(permissions)) }
        if withUser { object = object.setting("user", user(member)) }
        return object
    }

    /// The bot's own user, as READY and GET /users/@me carry it.
    static func currentUser(_ bot: EmulatedUser) -> WireJSON {
        [
            "id": .snowflake(bot.id),
            "username": .string(bot.username),
            "avatar": nil,
            "discriminator": "0",
            "public_flags": 0,
            "flags": 0,
            "bot": true,
            "banner": nil,
            "accent_color": nil,
            "global_name": nil,
            "mfa_enabled": false,
            "locale": "en-US",
            "verified": true,
            "email": nil,
        ]
    }
}
