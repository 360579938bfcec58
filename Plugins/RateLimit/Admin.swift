/// Who may run administrative commands: the host's owners, and members with ADMINISTRATOR or
/// MANAGE_GUILD in the channel.
enum Admin {
    static let administrator: UInt64 = 1 << 3
    static let manageGuild: UInt64 = 1 << 5

    static func allows(isOwner: Bool, permissions: UInt64) -> Bool {
        isOwner || permissions & (administrator | manageGuild) != 0
    }
}
