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
        return .json([
            "id": .snowflake(config.applicationID),
            "name": .string(config.botUsername),
            "icon": nil,
            "description": "",
            "type": nil,
            "bot": UserPayloads.user(env.topology.botUser),
            "bot_public": true,
            "bot_require_code_grant": false,
            "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
            "flags": .int(Intents.applicationFlags(allowed: config.privilegedIntentsAllowed)),
            "team": nil,
            "approximate_guild_count": .int(Int64(env.topology.guilds.count)),
            "integration_types_config": ["0": [:]],
        ])
    }

    func getChannel(_ channelID: UInt64) throws(RESTResponse) -> RESTResponse {
        guard let (channel, guildID) = env.topology.channel(channelID) else { throw DiscordErrors.unknownChannel }
        let position = env.topology.guild(guildID)?.channels.firstIndex { $0.id == channelID } ?? 0
        return .json(GuildPayloads.channel(channel, guildID: guildID, position: position))
    }
}
