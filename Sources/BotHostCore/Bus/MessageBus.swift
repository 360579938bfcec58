import Dispatch
import Synchronization

/// Topics, subscriptions and delivery. Publishing resolves the subscribers of a concrete topic
/// (cached until the subscription set changes), wraps the payload in one message without copying
/// it again and queues that on each subscriber's executor. Queues are bounded: a full queue drops
/// that subscriber's delivery and counts it.
public final class MessageBus: Sendable {
    /// A concrete topic's subscribers, with the topic's bytes that every message on it shares.
    private struct Route {
        var subscriptions: [any BusSubscription]
        var topic: [UInt8]
    }

    private struct State {
        var subscriptions: [UInt64: any BusSubscription] = [:]
        var cache: [String: Route] = [:]
        var taps: [UInt64: BusTap] = [:]
    }
    private let state = Mutex(State())
    private let tapCount = Atomic<Int>(0)
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

    package var subscriptionCount: Int { state.withLock { $0.subscriptions.count } }

    /// Subscribers of a concrete topic, in subscription order.
    package func subscribers(of topic: String) -> [any BusSubscription] { route(topic).subscriptions }

    private func route(_ topic: String) -> Route {
        state.withLock { s in
            if let cached = s.cache[topic] { return cached }
            let matching = s.subscriptions.values
                .filter { $0.pattern.matches(topic) }
                .sorted { $0.handle < $1.handle }
            if s.cache.count >= Self.cacheLimit { s.cache.removeAll(keepingCapacity: true) }
            let route = Route(subscriptions: matching, topic: Array(topic.utf8))
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
        if tapCount.load(ordering: .relaxed) > 0 { notifyTaps(topic, Array(payload)) }
        let route = route(topic)
        if route.subscriptions.isEmpty { return PublishResult(delivered: 0, dropped: 0) }
        // The cached topic bytes are shared, not copied: one allocation fewer per message.
        let message = BusMessage(topic: route.topic, payload: payload, origin: origin)
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

/// A host-side observer of bus traffic (the console, tests, later metrics exporters). Taps see
/// messages in publish order on their own serial queue; they are not plugins and hold no handles.
package final class BusTap: Sendable {
    package let pattern: TopicPattern
    package let queue: DispatchQueue
    package let handler: @Sendable (String, [UInt8]) -> Void

    package init(pattern: TopicPattern, handler: @escaping @Sendable (String, [UInt8]) -> Void) {
        self.pattern = pattern
        self.queue = DispatchQueue(label: "bothost.bus.tap")
        self.handler = handler
    }
}

extension MessageBus {
    /// Observes every message whose topic matches `pattern`. Returns a token for `untap`.
    public func tap(_ pattern: String, _ handler: @escaping @Sendable (_ topic: String, _ payload: [UInt8]) -> Void) throws -> UInt64 {
        let parsed = try TopicPattern.parse(pattern).get()
        let token = HandleAllocator.make()
        state.withLock { $0.taps[token] = BusTap(pattern: parsed, handler: handler) }
        tapCount.add(1, ordering: .relaxed)
        return token
    }

    public func untap(_ token: UInt64) {
        if state.withLock({ $0.taps.removeValue(forKey: token) }) != nil { tapCount.subtract(1, ordering: .relaxed) }
    }

    private func notifyTaps(_ topic: String, _ payload: [UInt8]) {
        let taps = state.withLock { Array($0.taps.values) }
        for tap in taps where tap.pattern.matches(topic) {
            tap.queue.async { tap.handler(topic, payload) }
        }
    }
}
