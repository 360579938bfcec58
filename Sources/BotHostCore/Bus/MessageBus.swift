import Synchronization

/// Topics, subscriptions and delivery. Publishing resolves the subscribers of a concrete topic
/// (cached until the subscription set changes) and queues the message on each subscriber's
/// executor: a small one is copied into the queue, a large payload is shared by all of them (see
/// `BusMessage.inlinePayloadLimit`). Queues are bounded: a full queue drops that subscriber's
/// delivery and counts it. Host taps are subscriptions too, on the same path, with unbounded
/// queues; publish results count the other subscribers only.
public final class MessageBus: Sendable {
    /// A concrete topic's subscribers, with the topic's bytes that every message on it copies.
    /// A publish takes the route with one reference count and its targets with none.
    private final class Route: @unchecked Sendable {  // immutable; the unmanaged targets are kept by `targets`
        let topic: String
        let topicBytes: [UInt8]
        /// Taps first, as they always were: an observer sees a message before any plugin can react to it.
        private let targets: [BusTarget]
        let tapCount: Int
        let unmanagedTargets: [Unmanaged<BusTarget>]

        init(topic: String, subscriptions: [any BusSubscription], taps: [BusTap]) {
            self.topic = topic
            topicBytes = Array(topic.utf8)
            targets = taps.map(BusTarget.init) + subscriptions.map(BusTarget.init)
            tapCount = taps.count
            unmanagedTargets = targets.map { Unmanaged.passUnretained($0) }
        }
    }

    private struct State {
        var subscriptions: [UInt64: any BusSubscription] = [:]
        var cache: [String: Route] = [:]
        /// The route of the last topic published: a stream of one topic skips hashing it.
        var last: Route?
        var taps: [UInt64: BusTap] = [:]

        mutating func subscribersChanged() {
            cache.removeAll(keepingCapacity: true)
            last = nil
        }
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
            s.subscribersChanged()
        }
    }

    package func remove(_ handle: UInt64) {
        state.withLock { s in
            if s.subscriptions.removeValue(forKey: handle) != nil { s.subscribersChanged() }
        }
    }

    private func route(_ topic: String) -> Route {
        state.withLock { s in
            if let last = s.last, last.topic == topic { return last }
            if let cached = s.cache[topic] {
                s.last = cached
                return cached
            }
            let matching = s.subscriptions.values
                .filter { $0.pattern.matches(topic) }
                .sorted { $0.handle < $1.handle }
            let taps = s.taps.values.filter { $0.pattern.matches(topic) }.sorted { $0.handle < $1.handle }
            if s.cache.count >= Self.cacheLimit { s.cache.removeAll(keepingCapacity: true) }
            let route = Route(topic: topic, subscriptions: matching, taps: taps)
            s.cache[topic] = route
            s.last = route
            return route
        }
    }

    /// Publishes bytes on a concrete topic (validated by the caller).
    @discardableResult
    public func publish(topic: String, payload: [UInt8], origin: BusOrigin = .host) -> PublishResult {
        publish(topic: topic, payload: payload[...], origin: origin)
    }

    /// Publishes part of a buffer. A small payload is copied into each subscriber's queue; a large
    /// one is not copied: the queues keep the buffer alive until every subscriber has had it (a
    /// gateway frame, of which `d` is most).
    @discardableResult
    public func publish(topic: String, payload: ArraySlice<UInt8>, origin: BusOrigin = .host) -> PublishResult {
        let route = route(topic)
        if route.unmanagedTargets.isEmpty { return PublishResult(delivered: 0, dropped: 0) }
        let shared = payload.count > BusMessage.inlinePayloadLimit ? payload : nil
        return route.topicBytes.withUnsafeBufferPointer { topicBytes in
            payload.withUnsafeBufferPointer { payloadBytes in
                origin.publisher.withUnsafeBufferPointer { publisher in
                    let message = BusMessage(topic: topicBytes, payload: payloadBytes, publisherBytes: publisher,
                                             shard: origin.shard, sequence: origin.sequence)
                    var result = PublishResult(delivered: 0, dropped: 0)
                    for (index, target) in route.unmanagedTargets.enumerated() {
                        // Taps' queues are unbounded, and their deliveries are not counted.
                        let isTap = index < route.tapCount
                        let queued = target._withUnsafeGuaranteedRef {
                            $0.executor.deliver(message, sharing: shared, to: $0, droppable: !isTap)
                        }
                        if isTap { continue }
                        if queued { result.delivered += 1 } else { result.dropped += 1 }
                    }
                    return result
                }
            }
        }
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
        handler(message.topicString, message.payloadBytes)
    }
}

extension MessageBus {
    /// Observes every message whose topic matches `pattern`. Returns a token for `untap`.
    public func tap(_ pattern: String, _ handler: @escaping @Sendable (_ topic: String, _ payload: [UInt8]) -> Void) throws -> UInt64 {
        let tap = BusTap(pattern: try TopicPattern.parse(pattern).get(), handler: handler)
        state.withLock { s in
            s.taps[tap.handle] = tap
            s.subscribersChanged()
        }
        return tap.handle
    }

    public func untap(_ token: UInt64) {
        state.withLock { s in
            if s.taps.removeValue(forKey: token) != nil { s.subscribersChanged() }
        }
    }
}
