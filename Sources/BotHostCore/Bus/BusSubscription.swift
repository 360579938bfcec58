import Synchronization

/// A subscriber's end of a subscription: the bus matches its pattern, queues each message on its
/// executor (bounded, droppable) and calls `deliver` there. The bus knows nothing else of it; the
/// plugin host's subscriptions call a plugin's C callback.
///
/// Threading: `pattern`, `handle` and `executor` are read on any thread and must not change;
/// `deliver` runs on `executor`, one message at a time, in publish order.
package protocol BusSubscription: AnyObject, Sendable {
    var pattern: TopicPattern { get }
    /// Unique for the life of the process (`HandleAllocator`); subscribers of a topic are served in
    /// handle order, which is subscription order.
    var handle: UInt64 { get }
    var executor: PluginExecutor { get }
    /// `message` borrows the queue's bytes: valid only until this returns.
    func deliver(_ message: BusMessage)
}

/// A subscription as a route holds it, with its executor read once: what a publish hands the
/// executor and what a queued delivery points at. Publishers and the delivering thread reach the
/// subscription through it without counting references per message (`Unmanaged`, kept alive by
/// the route and by the queue).
package final class BusTarget: Sendable {
    package let subscription: any BusSubscription
    package let executor: PluginExecutor

    package init(_ subscription: any BusSubscription) {
        self.subscription = subscription
        executor = subscription.executor
    }
}

/// Handles are unique for the life of the process and never reused.
package enum HandleAllocator {
    private static let next = Atomic<UInt64>(1)
    package static func make() -> UInt64 { next.add(1, ordering: .relaxed).oldValue }
    /// The next handle to be issued: every smaller non-zero handle was issued at some point.
    package static var peekNext: UInt64 { next.load(ordering: .relaxed) }
}
