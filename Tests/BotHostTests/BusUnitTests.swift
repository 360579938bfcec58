@testable import BotHost
import Testing

@Suite struct TopicPatternTests {
    private func matches(_ pattern: String, _ topic: String) throws -> Bool {
        try TopicPattern.parse(pattern).get().matches(topic)
    }

    @Test func exactTopicsMatchOnlyThemselves() throws {
        #expect(try matches("discord.MESSAGE_CREATE", "discord.MESSAGE_CREATE"))
        #expect(try !matches("discord.MESSAGE_CREATE", "discord.MESSAGE_UPDATE"))
        #expect(try !matches("discord.MESSAGE_CREATE", "discord.MESSAGE_CREATE.x"))
        #expect(try !matches("discord.MESSAGE_CREATE", "discord"))
    }

    @Test func starMatchesExactlyOneSegment() throws {
        #expect(try matches("voice.*.ended", "voice.session.ended"))
        #expect(try !matches("voice.*.ended", "voice.ended"))
        #expect(try !matches("voice.*.ended", "voice.a.b.ended"))
        #expect(try matches("*", "anything"))
        #expect(try !matches("*", "two.segments"))
    }

    @Test func greaterThanMatchesOneOrMoreTrailingSegments() throws {
        #expect(try matches("discord.>", "discord.READY"))
        #expect(try matches("discord.>", "discord.a.b.c"))
        #expect(try !matches("discord.>", "discord"))
        #expect(try matches(">", "x.y"))
    }

    @Test func malformedPatternsAreRefusedWithAReason() {
        #expect(TopicPattern.validateTopic("a..b") == .emptySegment("a..b"))
        #expect(TopicPattern.validateTopic(".a") == .emptySegment(".a"))
        #expect(TopicPattern.validateTopic("") == .length(""))
        #expect(TopicPattern.validateTopic("a.*") == .wildcardInTopic("a.*"))
        if case .failure(let error) = TopicPattern.parse("a.>.b") { #expect(error == .restNotLast("a.>.b")) } else { Issue.record("accepted a.>.b") }
        if case .failure(let error) = TopicPattern.parse("a.b*") { #expect(error == .wildcardInSegment("a.b*")) } else { Issue.record("accepted a.b*") }
        #expect(TopicPattern.validateTopic(String(repeating: "a", count: 300)) != nil)
    }
}

@Suite struct RingBufferTests {
    @Test func isFIFOAcrossGrowthAndWrapAround() {
        var ring = RingBuffer<Int>()
        var expected: [Int] = []
        var next = 0
        // Interleave pushes and pops so the head wraps while the buffer grows.
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 3) { ring.append(next); expected.append(next); next += 1 }
            for _ in 0..<(round % 5 + 1) {
                #expect(ring.popFirst() == expected.removeFirst())
            }
        }
        while let value = ring.popFirst() { #expect(value == expected.removeFirst()) }
        #expect(expected.isEmpty)
        #expect(ring.isEmpty)
    }
}

@Suite struct TimerSchedulerTests {
    @Test func manualClockFiresDueTimersInDeadlineOrderAndSkipsCancelled() async {
        let clock = ManualClock()
        let scheduler = TimerScheduler(clock: clock)
        defer { scheduler.shutdown() }
        let fired = FiredLog()
        scheduler.schedule(afterNs: 300_000_000) { fired.add("c") }
        scheduler.schedule(afterNs: 100_000_000) { fired.add("a") }
        let cancelled = scheduler.schedule(afterNs: 200_000_000) { fired.add("x") }
        scheduler.schedule(afterNs: 200_000_000) { fired.add("b") }
        scheduler.cancel(cancelled)
        clock.advance(byMs: 150)
        #expect(await eventually { fired.values == ["a"] })
        clock.advance(byMs: 1000)
        #expect(await eventually { fired.values == ["a", "b", "c"] })
        // Nothing else fires later (the cancelled one included).
        clock.advance(byMs: 10_000)
        await scheduler.caughtUp()
        #expect(fired.values == ["a", "b", "c"])
    }

    @Test func nothingFiresBeforeTheClockMoves() async {
        let clock = ManualClock()
        let scheduler = TimerScheduler(clock: clock)
        defer { scheduler.shutdown() }
        let fired = FiredLog()
        scheduler.schedule(afterNs: 1_000_000) { fired.add("early") }
        await scheduler.caughtUp()
        #expect(fired.values.isEmpty)
        clock.advance(byMs: 1)
        #expect(await eventually { fired.values == ["early"] })
    }

    @Test func dueEntriesFireInFairRoundsBetweenLanes() async {
        let clock = ManualClock()
        let scheduler = TimerScheduler(clock: clock)
        defer { scheduler.shutdown() }
        let fired = FiredLog()
        // Lane 1's thousand entries are all earlier than lane 2's one.
        for index in 0..<1000 { scheduler.schedule(afterNs: 1_000_000, lane: 1) { fired.add("a\(index)") } }
        scheduler.schedule(afterNs: 2_000_000, lane: 2) { fired.add("b") }
        clock.advance(byMs: 5)
        await scheduler.caughtUp()
        let order = fired.values
        #expect(order.count == 1001)
        let position = order.firstIndex(of: "b") ?? .max
        #expect(position <= TimerScheduler.perLaneQuota && position < 100, "lane 2 waited behind \(position) entries of lane 1")
        // Within a lane, deadline (then scheduling) order holds.
        #expect(order.filter { $0 != "b" } == (0..<1000).map { "a\($0)" })
        #expect(scheduler.stats(lane: 1).fired == 1000 && scheduler.stats(lane: 2).fired == 1)
        #expect(scheduler.stats(lane: 2).worstWaitBehind == position)
    }
}

final class FiredLog: Sendable {
    private let log = Mutex<[String]>([])
    func add(_ value: String) { log.withLock { $0.append(value) } }
    var values: [String] { log.withLock { $0 } }
}

import Synchronization
