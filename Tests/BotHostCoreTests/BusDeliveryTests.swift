@testable import BotHostCore
import Foundation
import Synchronization
import Testing

/// The bus's delivery path: messages reach a subscriber whole, with their origin and in order,
/// from one publisher or many; queued bytes are bounded and counted exactly at a barrier; and
/// the batch of a job abandoned on its executor is still delivered, behind newer work.
@Suite struct BusDeliveryTests {
    private struct Received: Equatable {
        var topic: String
        var payload: [UInt8]
        var publisher: String
        var shard: Int32
        var sequence: Int64
    }

    /// Records what the bus delivers to it; a delivery whose payload is `hold` blocks until released.
    private final class Recorder: BusSubscription {
        let pattern: TopicPattern
        let handle = HandleAllocator.make()
        let executor: PluginExecutor
        let received = Mutex<[Received]>([])
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        /// Signalled once per delivery.
        let arrivals = DispatchSemaphore(value: 0)

        init(_ pattern: String, capacity: Int = 1 << 20, capacityBytes: Int = .max) throws {
            self.pattern = try TopicPattern.parse(pattern).get()
            executor = PluginExecutor(label: "test.recorder", capacity: capacity, capacityBytes: capacityBytes)
        }

        func deliver(_ message: BusMessage) {
            let entry = Received(topic: message.topicString, payload: message.payloadBytes,
                                 publisher: String(decoding: message.publisherBytes, as: UTF8.self),
                                 shard: message.shard, sequence: message.sequence)
            received.withLock { $0.append(entry) }
            arrivals.signal()
            if entry.payload == Array("hold".utf8) {
                holding.signal()
                release.wait()
            }
        }

        var payloads: [String] { received.withLock { $0.map { String(decoding: $0.payload, as: UTF8.self) } } }
    }

    /// Blocks until every job queued on `executor` before the call has run.
    private func caughtUp(_ executor: PluginExecutor) {
        let done = DispatchSemaphore(value: 0)
        executor.submit { done.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success, "the executor never reached the barrier")
    }

    @Test func messagesArriveWholeWithTheirOriginSmallOrLarge() throws {
        let bus = MessageBus()
        let recorder = try Recorder("t.>")
        bus.add(recorder)
        let small = Array("hello".utf8)
        // A large payload is shared with the queue, not copied: publish part of a bigger buffer.
        let frame = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let large = frame[1000..<150_000]
        bus.publish(topic: "t.small", payload: small, origin: .plugin("alpha"))
        bus.publish(topic: "t.large", payload: large, origin: .gateway(shard: 3, sequence: 42))
        bus.publish(topic: "t.empty", payload: [])
        caughtUp(recorder.executor)
        let received = recorder.received.withLock { $0 }
        #expect(received == [
            Received(topic: "t.small", payload: small, publisher: "alpha", shard: -1, sequence: 0),
            Received(topic: "t.large", payload: Array(large), publisher: "", shard: 3, sequence: 42),
            Received(topic: "t.empty", payload: [], publisher: "", shard: -1, sequence: 0),
        ])
        #expect(recorder.executor.snapshot().queuedBytes == 0)
    }

    @Test func eachOfManyPublishersIsDeliveredInItsOrder() throws {
        let bus = MessageBus()
        let recorder = try Recorder("many.*")
        bus.add(recorder)
        let publishers = 4, each = 5_000
        let results = Mutex<[MessageBus.PublishResult]>([])
        DispatchQueue.concurrentPerform(iterations: publishers) { publisher in
            for index in 0..<each {
                // Payloads on both sides of the inline limit, so both kinds of record interleave.
                let size = index % 10 == 0 ? BusMessage.inlinePayloadLimit + 100 : 16
                var payload = Array("\(publisher) \(index) ".utf8)
                payload += [UInt8](repeating: 0x2E, count: size - payload.count)
                let result = bus.publish(topic: "many.p\(publisher)", payload: payload)
                results.withLock { $0.append(result) }
            }
        }
        #expect(results.withLock { $0.allSatisfy { $0 == MessageBus.PublishResult(delivered: 1, dropped: 0) } })
        caughtUp(recorder.executor)
        let received = recorder.received.withLock { $0 }
        #expect(received.count == publishers * each)
        for publisher in 0..<publishers {
            let mine = received.filter { $0.topic == "many.p\(publisher)" }
            let indices = mine.map { Int(String(decoding: $0.payload, as: UTF8.self).split(separator: " ")[1]) ?? -1 }
            #expect(indices == Array(0..<each), "publisher \(publisher)'s messages arrived out of order or incomplete")
        }
        #expect(recorder.executor.snapshot().queuedBytes == 0)
    }

    @Test func queuedBytesAreBoundedAndCountedUntilDelivered() throws {
        let bus = MessageBus()
        let recorder = try Recorder("b.x", capacityBytes: 1000)
        bus.add(recorder)
        // Stall the executor so that everything published queues.
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        recorder.executor.submit {
            started.signal()
            release.wait()
        }
        #expect(started.wait(timeout: .now() + 60) == .success)
        let payload = [UInt8](repeating: 0x61, count: 100)
        var dropped = 0
        for _ in 0..<20 { dropped += bus.publish(topic: "b.x", payload: payload).dropped }
        // Each message counts 103 bytes (topic and payload): nine fit in 1000, the rest are dropped.
        let held = recorder.executor.snapshot()
        #expect(dropped == 11 && held.dropped == 11)
        #expect(held.queued == 9 && held.queuedBytes == 9 * 103 && held.peakQueuedBytes == 9 * 103)
        release.signal()
        caughtUp(recorder.executor)
        #expect(recorder.received.withLock { $0.count } == 9)
        #expect(recorder.executor.snapshot().queuedBytes == 0)
    }

    @Test func anAbandonedJobsBatchIsDeliveredBehindNewerWork() throws {
        let bus = MessageBus()
        let recorder = try Recorder("a.x")
        bus.add(recorder)
        // The worker is held in a first job while three messages queue, so that they form its next batch.
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        recorder.executor.submit {
            started.signal()
            release.wait()
        }
        #expect(started.wait(timeout: .now() + 60) == .success)
        for payload in ["hold", "b", "c"] { bus.publish(topic: "a.x", payload: Array(payload.utf8)) }
        release.signal()
        // The batch's first delivery never returns (until released): the executor moves on without it.
        #expect(recorder.holding.wait(timeout: .now() + 60) == .success)
        recorder.executor.abandonRunningJob()
        bus.publish(topic: "a.x", payload: Array("d".utf8))
        caughtUp(recorder.executor)
        #expect(recorder.payloads == ["hold", "d"])
        // Released, the stuck job's batch is handed back and delivered after what came since.
        recorder.release.signal()
        for _ in 0..<4 { #expect(recorder.arrivals.wait(timeout: .now() + 60) == .success) }
        #expect(recorder.payloads == ["hold", "d", "b", "c"])
        caughtUp(recorder.executor)
        #expect(recorder.executor.snapshot().queuedBytes == 0)
    }
}
