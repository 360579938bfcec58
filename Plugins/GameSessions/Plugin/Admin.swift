/// Who may run the administrative subcommands (refresh, watch, unwatch): the host's owners, and
/// members with ADMINISTRATOR or MANAGE_GUILD in the channel.
enum Admin {
    static let administrator: UInt64 = 1 << 3
    static let manageGuild: UInt64 = 1 << 5

    static func allows(isOwner: Bool, permissions: UInt64) -> Bool {
        isOwner || permissions & (administrator | manageGuild) != 0
    }

    static let refusal = "Only the bot's owners and members with Administrator or Manage Server may do that."
}
