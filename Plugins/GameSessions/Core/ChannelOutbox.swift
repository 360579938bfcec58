/// The posts of one channel that need a Discord call, oldest first, each at most once.
///
/// Marking a post that is already queued keeps its place: whatever it looks like when its turn
/// comes is what gets sent, so three changes while it waits cost one call.
public struct ChannelOutbox: Sendable {
    private var queue: [PostID] = []
    private var head = 0
    private var queued: Set<PostID> = []

    public init() {}

    public var count: Int { queued.count }
    public var isEmpty: Bool { queued.isEmpty }

    public func contains(_ post: PostID) -> Bool { queued.contains(post) }

    public mutating func mark(_ post: PostID) {
        guard queued.insert(post).inserted else { return }
        queue.append(post)
    }

    /// Puts a post back at the front (its call failed and will be retried first).
    public mutating func markFirst(_ post: PostID) {
        if queued.insert(post).inserted {
            if head > 0 {
                head -= 1
                queue[head] = post
            } else {
                queue.insert(post, at: 0)
            }
        }
    }

    public mutating func next() -> PostID? {
        guard head < queue.count else { return nil }
        let post = queue[head]
        head += 1
        queued.remove(post)
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return post
    }

    /// Drops every queued post of a source (it was removed, or the channel stopped following it).
    public mutating func removeAll(where match: (PostID) -> Bool) {
        let remaining = queue[head...].filter { !match($0) }
        queue = Array(remaining)
        head = 0
        queued = Set(queue)
    }
}
