/// The outcome of one poll of one source: published as `gamesessions.polled` and shown by
/// /sessions refresh.
public struct PollReport: Sendable, Equatable {
    public var source: String
    public var failure: PollFailure?
    /// Sessions followed after the poll.
    public var sessions = 0
    public var started = 0
    public var updated = 0
    public var ended = 0
    /// Changed data that changes nothing anyone sees (no edit).
    public var silent = 0
    public var skipped = 0
    public var filteredOut = 0
    /// Failed polls in a row, this one included (0 after a success).
    public var consecutiveFailures = 0
    /// Why entries were skipped (the first few).
    public var skipNotes: [String] = []

    public init(source: String) {
        self.source = source
    }

    public var ok: Bool { failure == nil }

    /// Sessions whose embed a person would see change: what the Discord calls of a poll add up to,
    /// one per channel that shows the session.
    public var visiblyChanged: Int { started + updated + ended }

    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.raw("{")
        writer.member("source", source, first: true)
        writer.raw(",\"ok\":")
        writer.bool(ok)
        if let failure {
            writer.member("error", failure.description)
            writer.member("kind", failure.kind)
        } else {
            writer.member("sessions", integer: sessions)
            writer.member("started", integer: started)
            writer.member("updated", integer: updated)
            writer.member("ended", integer: ended)
            writer.member("silent", integer: silent)
            writer.member("skipped", integer: skipped)
            if !skipNotes.isEmpty {
                writer.raw(",\"skipNotes\":[")
                for (index, note) in skipNotes.enumerated() {
                    if index > 0 { writer.raw(",") }
                    writer.string(note)
                }
                writer.raw("]")
            }
            writer.member("filteredOut", integer: filteredOut)
        }
        writer.member("consecutiveFailures", integer: consecutiveFailures)
        writer.raw("}")
        return writer.bytes
    }

    /// One line for people.
    public var summary: String {
        if let failure { return "the poll failed: \(failure) (\(consecutiveFailures) in a row); no session was ended" }
        var text = "\(sessions) session\(sessions == 1 ? "" : "s") (\(started) new, \(updated) changed, \(ended) ended)"
        if skipped > 0 { text += "; \(skipped) malformed entr\(skipped == 1 ? "y" : "ies") skipped" }
        return text
    }
}
