/// Discord closes a connection that sends more than 120 payloads in 60 s (close code 4008).
/// This budget admits at most `limit` caller payloads in any sliding window and leaves the rest of
/// the 120 to the client's own heartbeats, identify and resume, which never wait.
///
/// Each admission reserves a slot at the earliest moment the window allows, so callers queue in
/// arrival order and a send beyond the budget is delayed, never refused.
package struct SendBudget {
    package static let discordLimit = 120
    package static let window: UInt64 = 60_000_000_000

    package let limit: Int
    package let windowNs: UInt64
    /// The last `limit` reservation times, oldest first (a ring once full).
    private var slots: [UInt64] = []
    private var head = 0

    package init(limit: Int = 110, windowNs: UInt64 = SendBudget.window) {
        precondition(limit > 0, "a send budget needs at least one slot")
        self.limit = limit
        self.windowNs = windowNs
        slots.reserveCapacity(limit)
    }

    /// Reserves the next slot and returns when it may be used: `nowNs` when the window has room,
    /// else the moment the oldest slot in the window expires.
    package mutating func reserve(nowNs: UInt64) -> UInt64 {
        if slots.count < limit {
            let at = max(nowNs, slots.last ?? 0)
            slots.append(at)
            return at
        }
        // The ring is full: the new slot must be a window after the one `limit` reservations back.
        let latest = slots[(head + limit - 1) % limit]
        let at = max(nowNs, slots[head] &+ windowNs, latest)
        slots[head] = at
        head = (head + 1) % limit
        return at
    }
}
