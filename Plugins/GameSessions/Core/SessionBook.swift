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
        // Sessions are read and written in place through buffer pointers: an array's subscript
        // getter copies the element out, and a copy of a session retains (and later releases)
        // every string in it — most of the cost of a poll besides the rendering.
        var stored = entries
        entries = []  // `stored` is the only reference: writing it makes no copy
        let storedCount = stored.count
        var fresh: [TrackedSession] = []  // new sessions, appended to the book after the pass
        var listed = 0  // followed sessions this poll lists
        stored.withUnsafeMutableBufferPointer { stored in
            sessions.withUnsafeBufferPointer { polled in
                for position in polled.indices {
                    guard let index = positions[polled[position].id] else {
                        guard filter.admits(polled[position]) else {
                            changes.filteredOut += 1
                            continue
                        }
                        var entry = TrackedSession(session: polled[position],
                                                   hash: lookHash(polled[position], firstSeenMs: nowMs, scratch: scratch), firstSeenMs: nowMs)
                        entry.seenInPoll = poll
                        positions[entry.id] = storedCount + fresh.count
                        changes.events.append(.started(id: entry.id))
                        fresh.append(entry)
                        listed += 1
                        continue
                    }
                    // A repeated id: the first counts (a session new in this poll is in `fresh`).
                    guard index < storedCount, stored[index].seenInPoll != poll else { continue }
                    stored[index].seenInPoll = poll
                    listed += 1
                    switch refresh(&stored[index], with: polled[position], scratch: scratch) {
                    case .unchanged: changes.unchanged += 1
                    case .silent: changes.silent += 1
                    case .updated: changes.events.append(.updated(id: stored[index].id))
                    }
                }
            }
        }
        stored.append(contentsOf: fresh)
        entries = stored
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

    private enum Refresh {
        case unchanged, silent, updated
    }

    /// Brings a followed session up to a poll's data. The entry is moved out into a local and
    /// back, and `incoming` is owned: comparing, rendering and storing then read both in place,
    /// where reading them from the book's memory would copy them (and so retain every string in
    /// a session) for each call.
    private func refresh(_ entry: inout TrackedSession, with incoming: consuming GameSession,
                         scratch: UnsafeMutableBufferPointer<UInt8>) -> Refresh {
        var tracked = consume entry
        // A running game's start is fixed at its first sighting; later estimates only jitter.
        if incoming.state == .playing && tracked.session.state == .playing, let start = tracked.session.startedAtMs {
            incoming.startedAtMs = start
        }
        let result: Refresh
        if tracked.session == incoming {
            result = .unchanged
        } else {
            // Changed data: the render decides whether anyone would see it.
            let hash = lookHash(incoming, firstSeenMs: tracked.firstSeenMs, scratch: scratch)
            tracked.session = incoming
            if hash == tracked.hash {
                result = .silent
            } else {
                tracked.hash = hash
                result = .updated
            }
        }
        entry = tracked
        return result
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
