/// The read-only endpoints a bot calls at startup: gateway URLs, itself, its application, channels.
extension RESTService {
    func getGateway() -> RESTResponse {
        .json(["url": .string(env.gatewayURL)])
    }

    func getGatewayBot(nowMs: Int64) -> RESTResponse {
        let limit = hub.sessionStartLimit(nowMs: nowMs)
        return .json([
            "url": .string(env.gatewayURL),
            "shards": .int(Int64(env.configuration.shardCount)),
            "session_start_limit": [
                "total": .int(Int64(limit.total)),
                "remaining": .int(Int64(limit.remaining)),
                "reset_after": .int(limit.resetAfterMs),
                "max_concurrency": .int(Int64(env.configuration.maxConcurrency)),
            ],
        ])
    }

    func getCurrentApplication() -> RESTResponse {
        let config = env.configuration
        let flags = Intents.applicationFlags(allowed: config.privilegedIntentsAllowed)
        let owner = env.topology.guilds.first?.ownerID.map(env.topology.user) ?? env.topology.user(3000)
        return .json([
            "id": .snowflake(config.applicationID),
            "name": .string(config.botUsername),
            "icon": nil,
            "description": "",
            "type": nil,
            "bot": UserPayloads.user(env.topology.botUser),
            "summary": "",
            "is_monetized": false,
            "is_verified": false,
            "is_discoverable": false,
            "bot_public": true,
            "bot_require_code_grant": false,
            "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
            "flags": .int(flags),
            "flags_new": .string(String(flags)),
            "redirect_uris": [],
            "interactions_endpoint_url": nil,
            "role_connections_verification_url": nil,
            "owner": UserPayloads.user(owner),
            "approximate_guild_count": .int(Int64(env.topology.guilds.count)),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "team": nil,
            "integration_types_config": ["0": [:]],
            "eligible_oauth2_scopes": ["applications.commands", "bot"],
        ])
    }

    func getChannel(_ channelID: UInt64) throws(RESTResponse) -> RESTResponse {
        guard let (channel, guildID) = env.topology.channel(channelID) else { throw DiscordErrors.unknownChannel }
        let position = env.topology.guild(guildID)?.channels.firstIndex { $0.id == channelID } ?? 0
        return .json(GuildPayloads.channel(channel, guildID: guildID, position: position))
    }
}
