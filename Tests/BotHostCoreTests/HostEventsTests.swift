@testable import BotHostCore
import Foundation
import Synchronization
import Testing

/// The lifecycle news: typed streams for the host's parts, JSON on the bus for plugins.
@Suite struct HostEventsTests {
    /// Records what the bus delivers to it, on its own executor, like a plugin's subscription.
    private final class Recorder: BusSubscription {
        let pattern: TopicPattern
        let handle = HandleAllocator.make()
        let executor = PluginExecutor(label: "test.recorder", capacity: 1024)
        let received = Mutex<[(topic: String, payload: String)]>([])

        init(_ pattern: String) throws { self.pattern = try TopicPattern.parse(pattern).get() }

        func deliver(_ message: BusMessage) {
            received.withLock { $0.append((message.topicString, String(decoding: message.payloadBytes, as: UTF8.self))) }
        }

        /// Returns once every delivery queued before the call has run.
        func caughtUp() async {
            await withCheckedContinuation { continuation in executor.submit { continuation.resume() } }
        }
    }

    private static func describe(_ event: LifecycleEvent) -> String {
        switch event {
        case .pluginStarted(let started): "started \(started.plugin)"
        case .pluginStopped(let stopped): "stopped \(stopped.plugin): \(stopped.reason)"
        case .commandsChanged: "commands changed"
        case .overrunLimitReached(let plugin, let overruns): "overrun limit \(plugin) \(overruns)"
        case .shardReady(let ready): "shard \(ready.shard) ready"
        default: "other"
        }
    }

    @Test func everyStreamGetsEveryEventInPublishOrderUntilFinished() async {
        let events = HostEvents(bus: MessageBus())
        let first = events.stream()
        let second = events.stream()
        // Published before anyone iterates: a stream exists from the moment it is made.
        events.publish(HostEvent.PluginStarted(plugin: "counter", version: "1.0", library: "/p/libcounter.so"))
        events.announce(.commandsChanged)
        events.publish(HostEvent.ShardReady(shard: 0, shardCount: 1, resumed: false))
        events.announce(.overrunLimitReached(plugin: "spin", overruns: 3))
        events.publish(HostEvent.PluginStopped(plugin: "counter", reason: "disabled in plugins.json"))
        events.finish()

        let expected = ["started counter", "commands changed", "shard 0 ready", "overrun limit spin 3",
                        "stopped counter: disabled in plugins.json"]
        var seenFirst: [String] = []
        for await event in first { seenFirst.append(Self.describe(event)) }
        var seenSecond: [String] = []
        for await event in second { seenSecond.append(Self.describe(event)) }
        #expect(seenFirst == expected)
        #expect(seenSecond == expected)

        // After finish, a new stream ends at once instead of waiting for news that never comes.
        var late = 0
        for await _ in events.stream() { late += 1 }
        #expect(late == 0)
    }

    @Test func pluginsGetTheSameNewsAsJSONButNotTheHostsOwn() async throws {
        let bus = MessageBus()
        let events = HostEvents(bus: bus)
        let recorder = try Recorder("host.>")
        bus.add(recorder)

        events.publish(HostEvent.PluginStarted(plugin: "counter", version: "1.0", library: "/p/libcounter.so"))
        events.announce(.commandsChanged)
        events.announce(.overrunLimitReached(plugin: "spin", overruns: 3))
        events.publish(HostEvent.PluginStopped(plugin: "counter", reason: "stopped by the operator"))
        await recorder.caughtUp()

        let received = recorder.received.withLock { $0 }
        #expect(received.map(\.topic) == ["host.plugin.started", "host.plugin.stopped"])
        #expect(received.first?.payload == #"{"library":"/p/libcounter.so","plugin":"counter","version":"1.0"}"#)
        #expect(received.last?.payload == #"{"plugin":"counter","reason":"stopped by the operator"}"#)
    }

    @Test func aStreamWhoseConsumerIsCancelledIsForgotten() async {
        let events = HostEvents(bus: MessageBus())
        let kept = events.stream()
        let stream = events.stream()
        #expect(events.streamCount == 2)
        let consumer = Task {
            var count = 0
            for await _ in stream { count += 1 }
            return count
        }
        consumer.cancel()
        _ = await consumer.value
        // The cancelled consumer's stream is dropped; the other one is still fed.
        #expect(events.streamCount == 1)
        events.announce(.commandsChanged)
        events.finish()
        var seen: [String] = []
        for await event in kept { seen.append(Self.describe(event)) }
        #expect(seen == ["commands changed"])
    }
}
