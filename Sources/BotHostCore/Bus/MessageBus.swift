import Synchronization

/// Topics, subscriptions and delivery. Publishing resolves the subscribers of a concrete topic
/// (cached until the subscription set changes), wraps the payload in one message without copying
/// it again and queues that on each subscriber's executor. Queues are bounded: a full queue drops
/// that subscriber's delivery and counts it. Host taps are subscriptions too, on the same path,
/// with unbounded queues; publish results count the other subscribers only.
public final class MessageBus: Sendable {
    /// A concrete topic's subscribers, with the topic's bytes that every message on it shares.
    private struct Route {
        var subscriptions: [any BusSubscription]
        var taps: [BusTap]
        var topic: [UInt8]
    }

    private struct State {
        var subscriptions: [UInt64: any BusSubscription] = [:]
        var cache: [String: Route] = [:]
        var taps: [UInt64: BusTap] = [:]
    }
    private let state = Mutex(State())
    private static let cacheLimit = 8192

    public struct PublishResult: Sendable, Equatable {
        public var delivered: Int
        public var dropped: Int
    }

    package init() {}

    /// Subscriptions and host taps, for a state dump.
    package var counts: (subscriptions: Int, taps: Int) { state.withLock { ($0.subscriptions.count, $0.taps.count) } }

    package func add(_ subscription: any BusSubscription) {
        state.withLock { s in
            s.subscriptions[subscription.handle] = subscription
            s.cache.removeAll(keepingCapacity: true)
        }
    }

    package func remove(_ handle: UInt64) {
        state.withLock { s in
            if s.subscriptions.removeValue(forKey: handle) != nil { s.cache.removeAll(keepingCapacity: true) }
        }
    }

    private func route(_ topic: String) -> Route {
        state.withLock { s in
            if let cached = s.cache[topic] { return cached }
            let matching = s.subscriptions.values
                .filter { $0.pattern.matches(topic) }
                .sorted { $0.handle < $1.handle }
            let taps = s.taps.values.filter { $0.pattern.matches(topic) }.sorted { $0.handle < $1.handle }
            if s.cache.count >= Self.cacheLimit { s.cache.removeAll(keepingCapacity: true) }
            let route = Route(subscriptions: matching, taps: taps, topic: Array(topic.utf8))
            s.cache[topic] = route
            return route
        }
    }

    /// Publishes bytes on a concrete topic (validated by the caller).
    @discardableResult
    public func publish(topic: String, payload: [UInt8], origin: BusOrigin = .host) -> PublishResult {
        publish(topic: topic, payload: payload[...], origin: origin)
    }

    /// Publishes part of a buffer without copying it: the message keeps the buffer alive until
    /// every subscriber has had it (a gateway frame, of which `d` is most).
    @discardableResult
    public func publish(topic: String, payload: ArraySlice<UInt8>, origin: BusOrigin = .host) -> PublishResult {
        let route = route(topic)
        if route.subscriptions.isEmpty && route.taps.isEmpty { return PublishResult(delivered: 0, dropped: 0) }
        // The cached topic bytes are shared, not copied: one allocation fewer per message.
        let message = BusMessage(topic: route.topic, payload: payload, origin: origin)
        // Taps first, as they always were: an observer sees a message before any plugin can react to it.
        for tap in route.taps { tap.executor.enqueue(.deliver(tap, message)) }
        var result = PublishResult(delivered: 0, dropped: 0)
        for subscription in route.subscriptions {
            if subscription.executor.enqueue(.deliver(subscription, message), droppable: true) {
                result.delivered += 1
            } else {
                result.dropped += 1
            }
        }
        return result
    }
}

/// A host-side observer of bus traffic (the console, tests, later metrics exporters): a
/// subscription like a plugin's, served in publish order on its own executor, whose delivery calls
/// a Swift closure with a copy of the message. Its queue is unbounded (control work, never
/// dropped): the host's own observers see everything.
package final class BusTap: BusSubscription {
    package let pattern: TopicPattern
    package let handle = HandleAllocator.make()
    package let executor = PluginExecutor(label: "bus.tap", capacity: .max)
    private let handler: @Sendable (String, [UInt8]) -> Void

    package init(pattern: TopicPattern, handler: @escaping @Sendable (String, [UInt8]) -> Void) {
        self.pattern = pattern
        self.handler = handler
    }

    package func deliver(_ message: BusMessage) {
        handler(message.topicString, Array(message.payload))
    }
}

extension MessageBus {
    /// Observes every message whose topic matches `pattern`. Returns a token for `untap`.
    public func tap(_ pattern: String, _ handler: @escaping @Sendable (_ topic: String, _ payload: [UInt8]) -> Void) throws -> UInt64 {
        let tap = BusTap(pattern: try TopicPattern.parse(pattern).get(), handler: handler)
        state.withLock { s in
            s.taps[tap.handle] = tap
            s.cache.removeAll(keepingCapacity: true)
        }
        return tap.handle
    }

    public func untap(_ token: UInt64) {
        state.withLock { s in
            if s.taps.removeValue(forKey: token) != nil { s.cache.removeAll(keepingCapacity: true) }
        }
    }
}
