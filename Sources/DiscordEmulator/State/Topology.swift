/// The fixed shape of the emulated Discord: guilds, their channels and members, the bot user.
/// Built once at start; lookups are by id.
struct Topology: Sendable {
    let guilds: [EmulatedGuild]
    let botUser: EmulatedUser
    private let guildIndex: [UInt64: Int]
    private let channelIndex: [UInt64: (guild: Int, channel: Int)]
    private let users: [UInt64: EmulatedUser]

    init(configuration: EmulatorConfiguration) {
        guilds = configuration.allGuilds
        botUser = EmulatedUser(id: configuration.botUserID, username: configuration.botUsername, isBot: true)
        var guildIndex: [UInt64: Int] = [:]
        var channelIndex: [UInt64: (guild: Int, channel: Int)] = [:]
        var users: [UInt64: EmulatedUser] = [configuration.botUserID: botUser]
        for (g, guild) in guilds.enumerated() {
            guildIndex[guild.id] = g
            for (c, channel) in guild.channels.enumerated() { channelIndex[channel.id] = (g, c) }
            for member in guild.members { users[member.id] = member }
        }
        self.guildIndex = guildIndex
        self.channelIndex = channelIndex
        self.users = users
    }

    func guild(_ id: UInt64) -> EmulatedGuild? { guildIndex[id].map { guilds[$0] } }

    func channel(_ id: UInt64) -> (channel: EmulatedChannel, guildID: UInt64)? {
        guard let (g, c) = channelIndex[id] else { return nil }
        return (guilds[g].channels[c], guilds[g].id)
    }

    /// A known user, or a plausible stand-in for an id the configuration did not name.
    func user(_ id: UInt64) -> EmulatedUser {
        users[id] ?? EmulatedUser(id: id, username: "user-\(id)")
    }

    func isMember(_ userID: UInt64, of guildID: UInt64) -> Bool {
        guard let guild = guild(guildID) else { return false }
        return userID == botUser.id || guild.members.contains { $0.id == userID }
    }

    /// Which shard receives a guild's events: `(guild_id >> 22) % num_shards`.
    static func shard(of guildID: UInt64, shardCount: Int) -> Int {
        Int((guildID >> 22) % UInt64(max(1, shardCount)))
    }
}
