/// What one post shows in one channel, as stored in the plugin's storage: written before a call
/// (a create may reach Discord) and after it (the message id, the new look), so that after a
/// restart — even after kill -9 — the plugin edits its messages instead of posting them again.
public struct PostRecord: Sendable, Equatable, Codable {
    /// The message, once Discord confirmed it.
    public var messageID: UInt64?
    /// The hash of what the message shows; 0 when unknown (an edit is then due).
    public var shownHash: UInt64 = 0
    /// When the post's session was first seen (0 for summary pages): part of the create nonce.
    public var anchorMs: Int64
    /// Fresh posts made so far: a deleted or too-old message is replaced under a new nonce.
    public var attempt = 0
    /// Set while a create with this attempt's nonce may have reached Discord unconfirmed.
    public var pendingSinceMs: Int64?
    /// The hash of the embed that create carried.
    public var pendingHash: UInt64?
    /// A message this one replaces (it could no longer be edited); deleted once the new one exists.
    public var replacing: UInt64?
    /// A look Discord refused (400): not sent again until the look changes.
    public var rejectedHash: UInt64?

    public init(anchorMs: Int64) {
        self.anchorMs = anchorMs
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "m", shownHash = "h", anchorMs = "f", attempt = "a", pendingSinceMs = "p", pendingHash = "ph",
             replacing = "r", rejectedHash = "x"
    }
}

/// A session as stored: enough to diff the first poll after a restart against, and to render the
/// "Session Ended" embed of a session that vanished while the plugin was down.
public struct SessionRecord: Sendable, Equatable, Codable {
    public var session: GameSession
    public var hash: UInt64
    public var firstSeenMs: Int64
    /// Set once the session ended; the record stays until every channel shows the end.
    public var endedAtMs: Int64?

    public init(_ tracked: TrackedSession, endedAtMs: Int64? = nil) {
        session = tracked.session
        hash = tracked.hash
        firstSeenMs = tracked.firstSeenMs
        self.endedAtMs = endedAtMs
    }

    public var tracked: TrackedSession { TrackedSession(session: session, hash: hash, firstSeenMs: firstSeenMs) }

    enum CodingKeys: String, CodingKey {
        case session = "s", hash = "h", firstSeenMs = "f", endedAtMs = "e"
    }
}
