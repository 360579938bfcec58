/// An interaction Discord delivered, and how the application has answered it so far.
struct StoredInteraction: Sendable {
    var id: UInt64
    var token: String
    var type: Int
    var guildID: UInt64?
    var channelID: UInt64
    var user: EmulatedUser
    var commandName: String
    var createdAtMs: Int64
    /// The callback type of the initial response, once acknowledged.
    var initialResponseType: Int?
    var originalMessageID: UInt64?
    var followUpIDs: [UInt64] = []
    /// The message a component interaction came from (for UPDATE_MESSAGE).
    var sourceMessageID: UInt64?
}

struct InteractionStore: Sendable {
    private var byID: [UInt64: StoredInteraction] = [:]

    subscript(id: UInt64) -> StoredInteraction? {
        get { byID[id] }
        set { byID[id] = newValue }
    }

    func find(token: String) -> StoredInteraction? {
        byID.values.first { $0.token == token }
    }
}

/// All mutable emulated Discord state, guarded by one lock in the core. Lock order: the
/// gateway hub's lock may be held while taking this one, never the other way round.
struct World: Sendable {
    var messages = MessageStore()
    var commands = CommandStore()
    var interactions = InteractionStore()
    var members = MemberActivity()
}
