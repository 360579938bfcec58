/// What one successful poll read: the sessions, and how many entries were skipped as malformed.
public struct FeedSnapshot: Sendable {
    public var sessions: [GameSession]
    /// Entries that could not be read (not an object, no id, a field of the wrong type, a repeated id).
    public var skipped: Int
    /// Why, for the first few of them ("entry 3: \"players\" is a string, not a number").
    public var skipNotes: [String]
    /// Ids of skipped entries whose id could still be read: those sessions are still in the feed,
    /// so they are kept as they were rather than ended.
    public var stillListed: Set<String> = []

    public static let maxNotes = 5

    public init(sessions: [GameSession] = [], skipped: Int = 0, skipNotes: [String] = []) {
        self.sessions = sessions
        self.skipped = skipped
        self.skipNotes = skipNotes
    }

    mutating func skip(_ note: String, id: String? = nil) {
        skipped += 1
        if let id { stillListed.insert(id) }
        if skipNotes.count < Self.maxNotes { skipNotes.append(note) }
    }

    /// Adds a session unless its id was already seen (a later duplicate is skipped).
    mutating func add(_ session: GameSession, seen: inout Set<String>, label: String) {
        guard seen.insert(session.id).inserted else {
            skip("\(label): the id \"\(session.id.prefix(40))\" appears more than once")
            return
        }
        sessions.append(session)
    }
}
