@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// A compressed stream that stops decoding means the connection is lost: the client closes and
/// resumes at once, and says so once — never a warning per undecodable message.
@Suite(.serialized) struct GatewayStreamLossTests {
    typealias Rig = GatewayIntegrationTests

    @Test(arguments: [true, false])
    func payloadsThatAreNotJSONEndTheConnectionAndResumeAtOnce(compress: Bool) async throws {
        let setup = try await Rig.setUp(emulator: Rig.noZombies, compress: compress)
        try await setup.client.start()
        setup.emulator.dispatch("TEST_EVENT", json: #"{"n":1}"#, toShard: 0)
        #expect(await eventually { setup.sink.events("TEST_EVENT").count == 1 })
        setup.emulator.inject(.garbagePayloads(count: 1_000))
        setup.emulator.dispatch("TEST_EVENT", json: #"{"n":2}"#, toShard: 0)
        #expect(await eventually { setup.sink.events("RESUMED").count == 1 })
        #expect(await eventually { setup.sink.events("TEST_EVENT").count == 2 })
        #expect(setup.sink.events("TEST_EVENT").map(\.data) == [#"{"n":1}"#, #"{"n":2}"#], "replayed once, in order")
        #expect(GatewayReconnectPolicyTests.waits(setup.sink) == [.zero], "resumed at once")
        let warnings = setup.log.all.filter { $0.contains("not a valid payload") }
        #expect(warnings.count == 1, "one line, not one per message: \(warnings.count)")
        #expect(Rig.acceptedIdentifies(setup.emulator).count == 1)
        await Rig.tearDown(setup)
    }

    @Test func aCorruptCompressedFrameEndsTheConnectionAndResumesAtOnce() async throws {
        let setup = try await Rig.setUp(emulator: Rig.noZombies, compress: true)
        try await setup.client.start()
        setup.emulator.inject(.corruptStream)
        setup.emulator.dispatch("TEST_EVENT", json: #"{"n":1}"#, toShard: 0)
        #expect(await eventually { setup.sink.events("RESUMED").count == 1 })
        #expect(await eventually { setup.sink.events("TEST_EVENT").count == 1 })
        #expect(GatewayReconnectPolicyTests.waits(setup.sink) == [.zero])
        #expect(setup.log.all.filter { $0.contains("compressed gateway stream is broken") }.count == 1)
        #expect(Rig.acceptedIdentifies(setup.emulator).count == 1)
        await Rig.tearDown(setup)
    }
}

@Suite struct WarningThrottleTests {
    @Test func aFloodOfOneKindIsOneLinePerIntervalWithACount() {
        let clock = ManualClock()
        let log = CapturedLog()
        let throttle = WarningThrottle(logger: log.logger(), interval: .seconds(10), clock: clock)
        for i in 0..<100_000 { throttle.warning("frame", "bad frame \(i)") }
        #expect(log.all.count == 1)
        #expect(log.all[0].contains("bad frame 0"))
        #expect(throttle.leftOut("frame") == 99_999)

        // Another kind is not held back by the first.
        throttle.warning("other", "something else")
        #expect(log.all.count == 2)

        clock.advance(byMs: 9_999)
        throttle.warning("frame", "bad frame late")
        #expect(log.all.count == 2, "still within the interval")
        clock.advance(byMs: 1)
        throttle.warning("frame", "bad frame next")
        #expect(log.all.count == 3)
        #expect(log.all[2].contains("bad frame next (100000 more like it since the last report)"), "\(log.all[2])")
        #expect(throttle.leftOut("frame") == 0)
    }
}
