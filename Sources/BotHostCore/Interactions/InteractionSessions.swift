import Synchronization

/// The interactions in flight, by handle. A session lives as long as its token (15 minutes);
/// expired ones are dropped as new ones open.
package final class InteractionSessions: Sendable {
    private let sessions = Mutex<[UInt64: InteractionSession]>([:])

    package init() {}

    /// Interactions in flight (not yet dropped), for a state dump.
    package var count: Int { sessions.withLock { $0.count } }

    package func open(_ session: InteractionSession, nowMs: Int64) {
        sessions.withLock { s in
            s = s.filter { $0.value.expiresAtMs > nowMs }
            s[session.handle] = session
        }
    }

    /// The session behind a handle, if it belongs to `plugin` and has not expired.
    package func session(_ handle: UInt64, plugin: String, nowMs: Int64) -> InteractionSession? {
        sessions.withLock { s in
            guard let session = s[handle], session.owner == plugin, session.expiresAtMs > nowMs else { return nil }
            return session
        }
    }
}
