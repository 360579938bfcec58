@testable import BotHost
import DiscordEmulator
import Foundation
import Synchronization
import Testing

/// The reconnect policy Discord expects: a completed handshake (READY or RESUMED) resets the
/// backoff; only consecutive attempts that fail before completing grow it; op 7 reconnects at
/// once; op 9 waits Discord's 1–5 s (here a short configured range) and identifies afresh on the
/// gateway URL when the session is gone. The delays are read from the shard's reported states,
/// so nothing here depends on how fast the machine is.
@Suite(.serialized) struct GatewayReconnectPolicyTests {
    typealias Rig = GatewayIntegrationTests

    /// The delays of every `reconnecting` state the shard reported, in order.
    static func waits(_ sink: GatewayIntegrationTests.Sink) -> [Duration] {
        sink.states.compactMap { if case .reconnecting(let after) = $0.1 { after } else { nil } }
    }

    @Test func dropsOfHealthySessionsNeverGrowTheBackoff() async throws {
        // A 2 s heartbeat: no ACK arrives between drops, so only the handshake can reset the backoff.
        let setup = try await Rig.setUp(emulator: Rig.noZombies)
        try await setup.client.start()
        var sent = 0
        for round in 1...10 {
            sent += 1
            setup.emulator.dispatch("TEST_EVENT", json: #"{"n":\#(sent)}"#, toShard: 0)
            setup.emulator.inject(.dropConnections)
            sent += 1
            setup.emulator.dispatch("TEST_EVENT", json: #"{"n":\#(sent)}"#, toShard: 0)
            #expect(await eventually { setup.sink.events("RESUMED").count == round }, "round \(round)")
        }
        #expect(await eventually { setup.sink.events("TEST_EVENT").count == sent })
        #expect(setup.sink.events("TEST_EVENT").map(\.data) == (1...sent).map { #"{"n":\#($0)}"# }, "resumed at the exact sequence")
        #expect(Rig.acceptedIdentifies(setup.emulator).count == 1, "never re-identified")
        // Base 2 ms, jitter 0.5 → every wait is the first step's 1.5 ms: the backoff never grew.
        let waits = Self.waits(setup.sink)
        #expect(waits.count == 10)
        #expect(waits.allSatisfy { $0 == .microseconds(1500) }, "\(waits)")
        await Rig.tearDown(setup)
    }

    @Test func reconnectRequestsAreFollowedAtOnceTenTimesInARow() async throws {
        let setup = try await Rig.setUp(emulator: Rig.noZombies)
        try await setup.client.start()
        for round in 1...10 {
            setup.emulator.inject(.reconnect)
            #expect(await eventually { setup.sink.events("RESUMED").count == round }, "round \(round)")
        }
        let waits = Self.waits(setup.sink)
        #expect(waits == Array(repeating: .zero, count: 10), "op 7 reconnects without waiting: \(waits)")
        #expect(Rig.acceptedIdentifies(setup.emulator).count == 1)
        #expect(Rig.received(setup.emulator, op: 6).count == 10)
        #expect(setup.log.all.filter { $0.contains("reconnecting now to resume") }.count == 10)
        await Rig.tearDown(setup)
    }

    @Test func resumableInvalidSessionWaitsDiscordsDelayThenResumes() async throws {
        let setup = try await Rig.setUp(emulator: Rig.noZombies)
        try await setup.client.start()
        let closedAt = setup.emulator.nowMs
        setup.emulator.inject(.invalidSession(resumable: true))
        #expect(await eventually { setup.sink.events("RESUMED").count == 1 })
        // The configured 10–20 ms range with jitter 0.5: 15 ms, not the 1.5 ms of the backoff.
        #expect(Self.waits(setup.sink) == [.milliseconds(15)])
        let resume = try #require(Rig.received(setup.emulator, op: 6).first)
        #expect(resume.timeMs - closedAt >= 10, "the wait was kept: \(resume.timeMs - closedAt) ms")
        #expect(Rig.acceptedIdentifies(setup.emulator).count == 1)
        await Rig.tearDown(setup)
    }

    @Test func nonResumableInvalidSessionWaitsThenIdentifiesOnTheGatewayURL() async throws {
        let setup = try await Rig.setUp(emulator: Rig.noZombies)
        try await setup.client.start()
        // One drop first, so the next connection is made to the resume URL and answered with op 9.
        setup.emulator.inject(.dropConnections)
        #expect(await eventually { setup.sink.events("RESUMED").count == 1 })
        #expect(Rig.acceptedIdentifies(setup.emulator).count == 1)
        setup.emulator.freezeClock()
        setup.emulator.advanceClock(ms: 5_000)  // Discord's identify interval has passed
        setup.emulator.inject(.invalidSession(resumable: false))
        #expect(await eventually { setup.sink.events("READY").count == 2 })
        #expect(Self.waits(setup.sink).last == .milliseconds(15))
        let identifies = Rig.acceptedIdentifies(setup.emulator)
        #expect(identifies.count == 2)
        #expect(identifies.last?.viaResumeURL == false, "a fresh session identifies on the gateway URL, not the resume URL")
        #expect(Rig.received(setup.emulator, op: 6).count == 1, "only the earlier drop was resumed")
        await Rig.tearDown(setup)
    }

    @Test func aServerThatRefusesConnectionsEscalatesToTheCapAndLogsEachWaitOnce() async throws {
        let setup = try await Rig.setUp(emulator: Rig.noZombies)
        try await setup.client.start()
        // Discord goes away: every attempt from now on is refused before it can complete.
        await setup.emulator.shutdown()
        #expect(await eventually { Self.waits(setup.sink).count >= 9 })
        await setup.client.stop()
        let waits = Self.waits(setup.sink)
        // Base 2 ms doubling to the 40 ms cap, jitter 0.5 (×0.75): 1.5, 3, 6, 12, 24, then 30 each.
        let expected: [Duration] = [.microseconds(1500), .milliseconds(3), .milliseconds(6), .milliseconds(12), .milliseconds(24)]
        #expect(Array(waits.prefix(5)) == expected, "\(waits)")
        #expect(waits.dropFirst(5).allSatisfy { $0 == .milliseconds(30) }, "\(waits)")
        // The first wait follows the drop; every later one follows a refused attempt, logged once each.
        let refusals = setup.log.all.filter { $0.contains("could not connect") }
        #expect(refusals.count == waits.count - 1, "one line per wait: \(refusals.count) lines for \(waits.count - 1) refused attempts")
        #expect(refusals.allSatisfy { $0.contains("retrying in") })
        #expect(!setup.log.all.contains { $0.contains("sandbox-token") })
    }

    @Test func gatewayBotOutagesAreWaitedOutAtStart() async throws {
        let calls = CallCount()
        var emulatorConfiguration = EmulatorConfiguration()
        emulatorConfiguration.heartbeatIntervalMs = 2_000
        let emulator = DiscordEmulator(emulatorConfiguration)
        try await emulator.start()
        let real = Rig.gatewayBot(emulator)
        struct Outage: Error {}
        let log = CapturedLog()
        let client = GatewayClient(
            configuration: GatewayConfiguration(token: "sandbox-token", intents: 1, reconnectBaseDelay: .milliseconds(2),
                                                reconnectMaxDelay: .milliseconds(40)),
            fetchGatewayBot: {
                // Three 5xx-like failures, then Discord is back.
                if calls.next() <= 3 { throw Outage() }
                return try await real()
            },
            sink: GatewayIntegrationTests.Sink(), logger: log.logger("gateway"), random: { 0.5 })
        try await client.start()
        #expect(calls.value == 4)
        #expect(log.all.filter { $0.contains("GET /gateway/bot failed") }.count == 3)
        await client.stop()
        await emulator.shutdown()
    }

    @Test func aRefusalOfGatewayBotEndsTheStartAtOnce() async throws {
        let calls = CallCount()
        let client = GatewayClient(
            configuration: GatewayConfiguration(token: "sandbox-token", intents: 1),
            fetchGatewayBot: {
                calls.next()
                throw GatewayError.refused("GET /gateway/bot answered 401: unauthorized (the bot token is not valid)")
            },
            sink: GatewayIntegrationTests.Sink())
        await #expect(throws: GatewayError.self) { try await client.start() }
        #expect(calls.value == 1)
    }
}

/// Counts calls from any thread.
final class CallCount: Sendable {
    private let count = Mutex(0)
    @discardableResult func next() -> Int { count.withLock { $0 += 1; return $0 } }
    var value: Int { count.withLock { $0 } }
}
