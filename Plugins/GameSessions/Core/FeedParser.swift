/// Turns a feed's bytes into sessions, in the source's format.
public enum FeedParser {
    /// `nowMs` stands in for a start time that a feed only gives as "playing for N seconds".
    public static func parse(_ bytes: [UInt8], format: SourceConfig.Format, nowMs: Int64) throws(PollFailure) -> FeedSnapshot {
        let document: FeedJSON
        do {
            document = try FeedJSONParser.parse(bytes)
        } catch {
            throw .invalidJSON(bytes.isEmpty ? "the body is empty" : error.description)
        }
        let snapshot: FeedSnapshot
        switch format {
        case .openra: snapshot = try OpenRAFeed.read(document, nowMs: nowMs)
        case .generic(let layout): snapshot = try GenericFeed.read(document, layout: layout)
        }
        if snapshot.sessions.isEmpty && snapshot.skipped > 0 {
            throw .noReadableEntries(count: snapshot.skipped, example: snapshot.skipNotes.first ?? "malformed")
        }
        return snapshot
    }
}
