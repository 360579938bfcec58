/// What the plugin knows about a session it follows.
public struct TrackedSession: Sendable, Equatable {
    public var session: GameSession
    /// The stable hash of its live embed: what people currently see, in 8 bytes.
    public var hash: UInt64
    /// When the plugin first saw it (Unix ms).
    public var firstSeenMs: Int64

    /// The last poll that listed it (the book's own bookkeeping, not part of equality).
    var seenInPoll: UInt32 = 0

    public init(session: GameSession, hash: UInt64, firstSeenMs: Int64) {
        self.session = session
        self.hash = hash
        self.firstSeenMs = firstSeenMs
    }

    public var id: String { session.id }

    public static func == (lhs: TrackedSession, rhs: TrackedSession) -> Bool {
        lhs.hash == rhs.hash && lhs.firstSeenMs == rhs.firstSeenMs && lhs.session == rhs.session
    }
}

/// A change one poll brought, in the order the plugin acts on them: the feed's order for new and
/// changed sessions, then the ended ones, oldest first. New and changed sessions are in the book
/// (`book[id]`); an ended one is no longer, so its event carries it.
public enum SessionEvent: Sendable, Equatable {
    case started(id: String)
    case updated(id: String)
    case ended(TrackedSession, endedAtMs: Int64)

    public var id: String {
        switch self {
        case .started(let id), .updated(let id): id
        case .ended(let tracked, _): tracked.id
        }
    }
}

/// What one successful poll changed.
public struct SessionChanges: Sendable {
    public var events: [SessionEvent] = []
    /// Sessions whose data changed in a way nobody would see (no event, no edit).
    public var silent = 0
    public var unchanged = 0
    /// New sessions the source's filters left out.
    public var filteredOut = 0

    public var started: Int { events.count { if case .started = $0 { true } else { false } } }
    public var visiblyChanged: Int { events.count }
    public var updated: Int { events.count { if case .updated = $0 { true } else { false } } }
    public var ended: Int { events.count { if case .ended = $0 { true } else { false } } }
}

/// The sessions of one source and the diff of each poll against them.
///
/// Kept as an array with an index by id rather than a dictionary: comparing a polled session with
/// the stored one then reads both in place, where a dictionary's value would be copied out — and
/// a copy retains every string in the session, which is most of the cost of a quiet poll.
public struct SessionBook: Sendable {
    public let sourceName: String
    /// The followed sessions, in no particular order.
    public private(set) var entries: [TrackedSession] = []
    private var positions: [String: Int] = [:]
    /// Numbers the polls, to tell which sessions the latest one listed without a set of ids.
    private var poll: UInt32 = 0

    public init(sourceName: String, restoring sessions: [TrackedSession] = []) {
        self.sourceName = sourceName
        for session in sessions where positions[session.id] == nil { insert(session) }
    }

    public var count: Int { entries.count }
    public var ids: [String] { entries.map(\.id) }
    public subscript(id: String) -> TrackedSession? { positions[id].map { entries[$0] } }

    /// The live embed of a session.
    public func render(_ session: GameSession, firstSeenMs: Int64) -> RenderedPost {
        RenderedPost(json: SessionEmbed.live(session, SessionEmbed.Context(sourceName: sourceName, firstSeenMs: firstSeenMs)))
    }

    /// The hash of a session's live embed (equal to `render(…).hash`), without keeping the JSON.
    private func lookHash(_ session: GameSession, firstSeenMs: Int64, scratch: UnsafeMutableBufferPointer<UInt8>) -> UInt64 {
        SessionEmbed.liveHash(session, SessionEmbed.Context(sourceName: sourceName, firstSeenMs: firstSeenMs), scratch: scratch)
    }

    /// Diffs a successful poll's sessions against the book and applies it. Only a session the feed
    /// no longer lists ends; equal sessions are not even rendered; a changed one is rendered and
    /// counts as updated only when its embed changed.
    ///
    /// `stillListed`: ids of entries the feed still lists but that could not be read this time;
    /// they keep their last known state.
    public mutating func apply(_ sessions: [GameSession], stillListed: Set<String> = [], filter: SessionFilter,
                               nowMs: Int64) -> SessionChanges {
        var changes = SessionChanges()
        poll &+= 1
        // One scratch buffer for every render of the poll.
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: EmbedWriter.scratchBytes)
        defer { scratch.deallocate() }
        var listed = 0  // followed sessions this poll lists
        // By position, not `for session in sessions`: a copy of each session would retain every
        // string in it.
        for position in sessions.indices {
            guard let index = positions[sessions[position].id] else {
                guard filter.admits(sessions[position]) else {
                    changes.filteredOut += 1
                    continue
                }
                var entry = TrackedSession(session: sessions[position],
                                           hash: lookHash(sessions[position], firstSeenMs: nowMs, scratch: scratch), firstSeenMs: nowMs)
                entry.seenInPoll = poll
                insert(entry)
                listed += 1
                changes.events.append(.started(id: entry.id))
                continue
            }
            guard entries[index].seenInPoll != poll else { continue }  // a repeated id: the first counts
            entries[index].seenInPoll = poll
            listed += 1
            // A running game's start is fixed at its first sighting; later estimates only jitter.
            let keptStart = sessions[position].state == .playing && entries[index].session.state == .playing
                ? entries[index].session.startedAtMs ?? sessions[position].startedAtMs : sessions[position].startedAtMs
            if keptStart == sessions[position].startedAtMs {
                guard entries[index].session != sessions[position] else {
                    changes.unchanged += 1
                    continue
                }
                entries[index].session = sessions[position]
            } else {
                var updated = sessions[position]
                updated.startedAtMs = keptStart
                guard updated != entries[index].session else {
                    changes.unchanged += 1
                    continue
                }
                entries[index].session = updated
            }
            // Changed data: the render decides whether anyone would see it.
            let hash = lookHash(entries[index].session, firstSeenMs: entries[index].firstSeenMs, scratch: scratch)
            if hash == entries[index].hash {
                changes.silent += 1
            } else {
                entries[index].hash = hash
                changes.events.append(.updated(id: entries[index].id))
            }
        }
        for id in stillListed {
            guard let index = positions[id], entries[index].seenInPoll != poll else { continue }
            entries[index].seenInPoll = poll
            listed += 1
        }
        if listed < entries.count {
            let gone = entries.filter { $0.seenInPoll != poll }.sorted { ($0.firstSeenMs, $0.id) < ($1.firstSeenMs, $1.id) }
            for entry in gone {
                remove(entry.id)
                changes.events.append(.ended(entry, endedAtMs: nowMs))
            }
        }
        return changes
    }

    private mutating func insert(_ entry: TrackedSession) {
        positions[entry.id] = entries.count
        entries.append(entry)
    }

    /// Moves the last entry into the freed slot.
    private mutating func remove(_ id: String) {
        guard let index = positions.removeValue(forKey: id) else { return }
        let last = entries.count - 1
        if index != last {
            entries.swapAt(index, last)
            positions[entries[index].id] = index
        }
        entries.removeLast()
    }
}
