import Foundation
import Logging

import Synchronization

/// Events the host publishes about itself on the bus (topic `host.…`, JSON), so that plugins,
/// tests and operators can observe plugin life and trouble without scraping logs.
public protocol HostEventPayload: Encodable, Sendable {
    static var topic: String { get }
    /// The same news, typed, for the host's own parts (`HostEvents.stream()`).
    var lifecycle: LifecycleEvent { get }
}

/// The host's lifecycle news as typed values: what the Discord side, the CLI and the plugin
/// manager react to. Plugins see the same news (except `commandsChanged` and
/// `overrunLimitReached`, which are the host's business) as JSON `host.…` events on the bus.
public enum LifecycleEvent: Sendable {
    case pluginStarted(HostEvent.PluginStarted)
    case pluginStopped(HostEvent.PluginStopped)
    case pluginRefused(HostEvent.PluginRefused)
    /// An isolated plugin's process died on its own (or was killed for overrunning).
    case pluginCrashed(HostEvent.PluginCrashed)
    case pluginOverran(HostEvent.CallbackOverrun)
    /// A plugin overran its callback budget as many times as `maxOverruns` allows: stop it.
    case overrunLimitReached(plugin: String, overruns: Int)
    case deadlineMissed(HostEvent.DeadlineMissed)
    case busOverflow(HostEvent.BusOverflow)
    /// A slash command was registered or removed: the set Discord should know changed.
    case commandsChanged
    case shardReady(HostEvent.ShardReady)
    case shardLost(HostEvent.ShardLost)
}

public enum HostEvent {
    public struct PluginStarted: HostEventPayload {
        public var lifecycle: LifecycleEvent { .pluginStarted(self) }
        public static let topic = "host.plugin.started"
        public let plugin: String
        public let version: String
        public let library: String

        package init(plugin: String, version: String, library: String) {
            self.plugin = plugin
            self.version = version
            self.library = library
        }
    }
    public struct PluginStopped: HostEventPayload {
        public var lifecycle: LifecycleEvent { .pluginStopped(self) }
        public static let topic = "host.plugin.stopped"
        public let plugin: String
        public let reason: String

        package init(plugin: String, reason: String) {
            self.plugin = plugin
            self.reason = reason
        }
    }
    public struct PluginCrashed: HostEventPayload {
        public var lifecycle: LifecycleEvent { .pluginCrashed(self) }
        public static let topic = "host.plugin.crashed"
        public let plugin: String
        /// The signal or exit status, and the process's last output lines.
        public let cause: String
        /// Crashes within the restart window, this one included.
        public let crashes: Int
        /// When it restarts (ms from now); nil when it stays stopped (too many crashes).
        public let restartInMs: Int?

        package init(plugin: String, cause: String, crashes: Int, restartInMs: Int?) {
            self.plugin = plugin
            self.cause = cause
            self.crashes = crashes
            self.restartInMs = restartInMs
        }
    }
    public struct PluginRefused: HostEventPayload {
        public var lifecycle: LifecycleEvent { .pluginRefused(self) }
        public static let topic = "host.plugin.refused"
        public let plugin: String
        public let file: String
        public let cause: String
        public let fix: String

        package init(plugin: String, file: String, cause: String, fix: String) {
            self.plugin = plugin
            self.file = file
            self.cause = cause
            self.fix = fix
        }
    }
    public struct CallbackOverrun: HostEventPayload {
        public var lifecycle: LifecycleEvent { .pluginOverran(self) }
        public static let topic = "host.plugin.overrun"
        public let plugin: String
        public let runningMs: Int
        public let budgetMs: Int
        public let overruns: Int

        package init(plugin: String, runningMs: Int, budgetMs: Int, overruns: Int) {
            self.plugin = plugin
            self.runningMs = runningMs
            self.budgetMs = budgetMs
            self.overruns = overruns
        }
    }
    public struct DeadlineMissed: HostEventPayload {
        public var lifecycle: LifecycleEvent { .deadlineMissed(self) }
        public static let topic = "host.plugin.deadline"
        public let plugin: String
        public let what: String
        public let deadlineMs: Int

        package init(plugin: String, what: String, deadlineMs: Int) {
            self.plugin = plugin
            self.what = what
            self.deadlineMs = deadlineMs
        }
    }
    /// A gateway shard completed its handshake (READY, or RESUMED after a drop): dispatches flow.
    public struct ShardReady: HostEventPayload {
        public var lifecycle: LifecycleEvent { .shardReady(self) }
        public static let topic = "host.gateway.ready"
        public let shard: Int
        public let shardCount: Int
        /// false for a fresh session (READY), true when a dropped one was resumed.
        public let resumed: Bool

        package init(shard: Int, shardCount: Int, resumed: Bool) {
            self.shard = shard
            self.shardCount = shardCount
            self.resumed = resumed
        }
    }
    /// A shard that was ready is not any more: it is reconnecting, or stopped (`reason` says which).
    /// Dispatches missed meanwhile are replayed on resume; REST calls keep working throughout.
    public struct ShardLost: HostEventPayload {
        public var lifecycle: LifecycleEvent { .shardLost(self) }
        public static let topic = "host.gateway.lost"
        public let shard: Int
        public let shardCount: Int
        public let reason: String

        package init(shard: Int, shardCount: Int, reason: String) {
            self.shard = shard
            self.shardCount = shardCount
            self.reason = reason
        }
    }
    public struct BusOverflow: HostEventPayload {
        public var lifecycle: LifecycleEvent { .busOverflow(self) }
        public static let topic = "host.bus.overflow"
        public let plugin: String
        public let dropped: UInt64
        public let totalDropped: UInt64
        /// The queue's bounds: events, and bytes of topics and payloads.
        public let capacity: Int
        public let capacityBytes: Int

        package init(plugin: String, dropped: UInt64, totalDropped: UInt64, capacity: Int, capacityBytes: Int) {
            self.plugin = plugin
            self.dropped = dropped
            self.totalDropped = totalDropped
            self.capacity = capacity
            self.capacityBytes = capacityBytes
        }
    }
}

/// The host's lifecycle news, delivered two ways: typed, to every `stream()` (the host's own
/// parts), and as JSON on the bus (plugins).
///
/// Threading: any thread may publish; each stream sees events in the order they were published
/// (one publisher at a time per event source). Streams buffer without bound: a consumer that
/// falls behind costs memory, never a lost event, and lifecycle news is rare.
public final class HostEvents: Sendable {
    private let bus: MessageBus
    private struct Streams {
        var continuations: [UInt64: AsyncStream<LifecycleEvent>.Continuation] = [:]
        var next: UInt64 = 0
        var finished = false
    }
    private let streams = Mutex(Streams())

    package init(bus: MessageBus) { self.bus = bus }

    /// Every event published from now on, until `finish()` (or the consumer's task is cancelled).
    /// The stream exists as soon as this returns: nothing published after the call is missed,
    /// however late the consumer starts iterating.
    public func stream() -> AsyncStream<LifecycleEvent> {
        let (stream, continuation) = AsyncStream<LifecycleEvent>.makeStream(bufferingPolicy: .unbounded)
        let id: UInt64? = streams.withLock { s in
            guard !s.finished else { return nil }
            s.next += 1
            s.continuations[s.next] = continuation
            return s.next
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.streams.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Streams being fed now (a state dump, tests).
    package var streamCount: Int { streams.withLock { $0.continuations.count } }

    /// Publishes an event: to the streams, then as JSON on the bus.
    package func publish<Event: HostEventPayload>(_ event: Event) {
        announce(event.lifecycle)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(event) else { return }
        bus.publish(topic: Event.topic, payload: Array(data))
    }

    /// Tells the streams only (news with no bus topic).
    package func announce(_ event: LifecycleEvent) {
        // Yielded under the lock: two publishers cannot interleave their events differently in
        // different streams.
        streams.withLock { s in
            for continuation in s.continuations.values { continuation.yield(event) }
        }
    }

    /// Ends every stream (the host is shutting down); later `stream()` calls get an ended stream.
    package func finish() {
        let ended = streams.withLock { s in
            s.finished = true
            defer { s.continuations.removeAll() }
            return Array(s.continuations.values)
        }
        for continuation in ended { continuation.finish() }
    }
}
