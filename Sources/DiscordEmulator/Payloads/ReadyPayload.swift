/// READY: the session, the bot user, and an unavailable stub for every guild on the shard.
enum ReadyPayload {
    static func make(
        sessionID: String, shard: (id: Int, count: Int)?, guildIDs: [UInt64], env: EmulatorEnvironment
    ) -> WireJSON {
        var ready: WireJSON = [
            "v": 10,
            "user_settings": [:],
            "user": UserPayloads.currentUser(env.topology.botUser),
            "session_type": "normal",
            "session_id": .string(sessionID),
            "resume_gateway_url": .string(env.resumeGatewayURL),
            "relationships": [],
            "private_channels": [],
            "presences": [],
            "guilds": .array(guildIDs.map(GuildPayloads.unavailable)),
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east", "us-central", "atlanta", "newark", "us-south"],
            "game_relationships": [],
            "auth": [:],
            "application": [
                "id": .snowflake(env.configuration.applicationID),
                "flags": .int(Intents.applicationFlags(allowed: env.configuration.privilegedIntentsAllowed)),
            ],
            "_trace": ["[\"gateway-prd-emulator-1\",{\"micros\":1200,\"calls\":[\"id_created\",{\"micros\":800,\"calls\":[]}]}]"],
        ]
        if let shard { ready = ready.setting("shard", [.int(Int64(shard.id)), .int(Int64(shard.count))]) }
        return ready
    }
}
