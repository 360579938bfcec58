/// Registered application commands, global and per guild, as bulk overwrites left them.
struct StoredCommand: Sendable {
    var id: UInt64
    var version: UInt64
    var guildID: UInt64?
    var type: Int
    var name: String
    var description: String
    /// The full command object as GET returns it.
    var object: WireJSON
}

struct CommandStore: Sendable {
    private(set) var global: [StoredCommand] = []
    private(set) var perGuild: [UInt64: [StoredCommand]] = [:]
    private(set) var overwriteCount = 0

    func commands(guildID: UInt64?) -> [StoredCommand] {
        guard let guildID else { return global }
        return perGuild[guildID] ?? []
    }

    mutating func overwrite(guildID: UInt64?, with commands: [StoredCommand]) {
        overwriteCount += 1
        if let guildID { perGuild[guildID] = commands } else { global = commands }
    }

    /// A command the user could invoke in this guild: guild commands shadow global ones.
    func find(name: String, guildID: UInt64?) -> StoredCommand? {
        if let guildID, let command = perGuild[guildID]?.first(where: { $0.name == name }) { return command }
        return global.first { $0.name == name }
    }
}
