import Foundation
import Logging

/// Events the host publishes about itself on the bus (topic `host.…`, JSON), so that plugins,
/// tests and operators can observe plugin life and trouble without scraping logs.
public protocol HostEventPayload: Encodable, Sendable {
    static var topic: String { get }
}

public enum HostEvent {
    public struct PluginStarted: HostEventPayload {
        public static let topic = "host.plugin.started"
        public let plugin: String
        public let version: String
        public let library: String
    }
    public struct PluginStopped: HostEventPayload {
        public static let topic = "host.plugin.stopped"
        public let plugin: String
        public let reason: String
    }
    public struct PluginRefused: HostEventPayload {
        public static let topic = "host.plugin.refused"
        public let plugin: String
        public let file: String
        public let cause: String
        public let fix: String
    }
    public struct CallbackOverrun: HostEventPayload {
        public static let topic = "host.plugin.overrun"
        public let plugin: String
        public let runningMs: Int
        public let budgetMs: Int
        public let overruns: Int
    }
    public struct DeadlineMissed: HostEventPayload {
        public static let topic = "host.plugin.deadline"
        public let plugin: String
        public let what: String
        public let deadlineMs: Int
    }
    /// A gateway shard completed its handshake (READY, or RESUMED after a drop): dispatches flow.
    public struct ShardReady: HostEventPayload {
        public static let topic = "host.gateway.ready"
        public let shard: Int
        public let shardCount: Int
        /// false for a fresh session (READY), true when a dropped one was resumed.
        public let resumed: Bool
    }
    /// A shard that was ready is not any more: it is reconnecting, or stopped (`reason` says which).
    /// Dispatches missed meanwhile are replayed on resume; REST calls keep working throughout.
    public struct ShardLost: HostEventPayload {
        public static let topic = "host.gateway.lost"
        public let shard: Int
        public let shardCount: Int
        public let reason: String
    }
    public struct BusOverflow: HostEventPayload {
        public static let topic = "host.bus.overflow"
        public let plugin: String
        public let dropped: UInt64
        public let totalDropped: UInt64
        /// The queue's bounds: events, and bytes of topics and payloads.
        public let capacity: Int
        public let capacityBytes: Int
    }
}

/// Publishes host events on the bus.
final class HostEvents: Sendable {
    private let bus: MessageBus

    init(bus: MessageBus) { self.bus = bus }

    func publish<Event: HostEventPayload>(_ event: Event) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(event) else { return }
        bus.publish(topic: Event.topic, payload: Array(data))
    }
}
