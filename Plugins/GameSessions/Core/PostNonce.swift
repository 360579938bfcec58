/// The nonce of a message create: derived from what the post is and which attempt this is, so a
/// create retried after a crash carries the same nonce as the one that may have reached Discord
/// (which then returns that message instead of posting again), while a deliberate fresh post
/// (after the old message was deleted or became too old to edit) gets a new one.
public enum PostNonce {
    /// At most 20 decimal digits: within Discord's 25 characters.
    public static func make(source: String, channel: UInt64, key: PostKey, anchorMs: Int64, attempt: Int) -> String {
        var hash = StableHash()
        hash.combine(source)
        hash.combine(String(channel))
        hash.combine(key.storageName)
        hash.combine(String(anchorMs))
        hash.combine(String(attempt))
        return String(hash.value)
    }
}
