@testable import BotHost
import DiscordEmulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing

/// The gateway client against the local Discord: sessions, resumes, invalid sessions, fatal close
/// codes, zombies, heartbeat jitter, the send limit and sharded identify order. Heartbeat intervals
/// and backoff are short so the suite stays fast; nothing here asserts how long anything took.
@Suite(.serialized) struct GatewayIntegrationTests {
    /// Records what the client delivers.
    final class Sink: GatewayEventSink {
        struct Dispatch: Sendable {
            var shard: Int
            var event: String
            var data: String
            var sequence: Int
        }
        private let recorded = Mutex<(dispatches: [Dispatch], states: [(Int, ShardState)])>(([], []))

        func gatewayDispatch(shard: Int, event: String, data: ArraySlice<UInt8>, sequence: Int) {
            let text = String(decoding: data, as: UTF8.self)
            recorded.withLock { $0.dispatches.append(Dispatch(shard: shard, event: event, data: text, sequence: sequence)) }
        }

        func gatewayStateChanged(shard: Int, state: ShardState) {
            recorded.withLock { $0.states.append((shard, state)) }
        }

        var dispatches: [Dispatch] { recorded.withLock { $0.dispatches } }
        var states: [(Int, ShardState)] { recorded.withLock { $0.states } }
        func events(_ name: String) -> [Dispatch] { dispatches.filter { $0.event == name } }
    }

    struct Setup {
        let emulator: DiscordEmulator
        let client: GatewayClient
        let sink: Sink
        let log: CapturedLog
    }

    /// Heartbeats a minute apart: however long the machine stalls, no connection here is taken
    /// for a zombie, so every reconnect counted is one the test caused.
    static let noZombies: @Sendable (inout EmulatorConfiguration) -> Void = { $0.heartbeatIntervalMs = 60_000 }

    /// `GET /gateway/bot` over HTTP, as the host's REST client would do it.
    static func gatewayBot(_ emulator: DiscordEmulator) -> @Sendable () async throws -> GatewayBotInfo {
        let address = emulator.apiBaseURL + "/gateway/bot"
        return {
            guard let url = URL(string: address) else { throw URLError(.badURL) }
            var request = URLRequest(url: url)
            request.setValue("Bot sandbox-token", forHTTPHeaderField: "Authorization")
            let (data, _) = try await URLSession.shared.data(for: request)
            return try GatewayBotInfo(json: Array(data))
        }
    }

    /// An emulator and a client for it (not started).
    static func setUp(
        emulator emulatorSettings: (inout EmulatorConfiguration) -> Void = { _ in },
        token: String = "sandbox-token", intents: UInt64 = 1 | 1 << 9, compress: Bool = true,
        clock: any HostClock = SystemClock(), random: @escaping @Sendable () -> Double = { 0.5 },
        client clientSettings: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> Setup {
        var emulatorConfiguration = EmulatorConfiguration()
        emulatorConfiguration.heartbeatIntervalMs = 2_000  // long enough that a loaded CI machine never looks like a zombie
        emulatorSettings(&emulatorConfiguration)
        let emulator = DiscordEmulator(emulatorConfiguration)
        try await emulator.start()
        var configuration = GatewayConfiguration(
            token: token, intents: intents, compress: compress, identifyBucketSpacing: .milliseconds(10),
            reconnectBaseDelay: .milliseconds(2), reconnectMaxDelay: .milliseconds(40),
            invalidSessionDelay: .milliseconds(10) ... .milliseconds(20))
        clientSettings(&configuration)
        let sink = Sink()
        let log = CapturedLog()
        let client = GatewayClient(configuration: configuration, fetchGatewayBot: gatewayBot(emulator), sink: sink,
                                   logger: log.logger("gateway"), clock: clock, random: random)
        return Setup(emulator: emulator, client: client, sink: sink, log: log)
    }

    static func tearDown(_ setup: Setup) async {
        await setup.client.stop()
        expectRequestsConformToDiscordSpec(setup.emulator)  // GET /gateway/bot
        await setup.emulator.shutdown()
        // Whatever happened, the token never reached the log.
        #expect(!setup.log.all.contains { $0.contains("sandbox-token") })
    }

    /// Payloads the emulator received with this op.
    static func received(_ emulator: DiscordEmulator, op: Int) -> [RecordedGatewayFrame] {
        emulator.gatewayEvents.filter { $0.direction == .received && $0.op == op }
    }

    static func closesReceived(_ emulator: DiscordEmulator) -> [UInt16] {
        emulator.gatewayEvents.compactMap { $0.direction == .received ? $0.closeCode : nil }
    }

    static func acceptedIdentifies(_ emulator: DiscordEmulator) -> [RecordedIdentify] {
        emulator.identifies.filter { if case .accepted = $0.outcome { true } else { false } }
    }

    // MARK: sessions

    @Test(arguments: [true, false])
    func identifiesAndBecomesReady(compress: Bool) async throws {
        // A 10 s heartbeat: even a stalled machine does not take the identify's connection for a
        // zombie, so the states are exactly those of one clean start.
        let setup = try await Self.setUp(emulator: { $0.heartbeatIntervalMs = 10_000 }, compress: compress)
        try await setup.client.start()
        let ready = try #require(setup.sink.events("READY").first)
        guard case .ready(let sessionID) = setup.client.shardStates[0] else { Issue.record("not ready"); return }
        #expect(ready.data.contains(sessionID))
        #expect(ready.sequence == 1)
        #expect(setup.sink.states.map(\.1) == [.connecting, .identifying, .ready(sessionID: sessionID)])

        let identify = try #require(Self.received(setup.emulator, op: 2).first)
        let d = try #require(try JSONValue.parse(identify.json)["d"])
        #expect(d["intents"]?.numberValue?.int64 == Int64(513))
        #expect(d["properties"]?["os"]?.stringValue == "linux")
        #expect(d["properties"]?["browser"]?.stringValue == "bothost")
        #expect(d["properties"]?["device"]?.stringValue == "bothost")
        #expect(d["shard"]?.arrayValue?.compactMap { $0.numberValue?.int64 } == [0, 1])

        // The guild the emulator serves arrives as GUILD_CREATE, passed on byte for byte.
        #expect(await eventually { !setup.sink.events("GUILD_CREATE").isEmpty })
        let sent = try #require(setup.emulator.gatewayEvents.first { $0.direction == .sent && $0.t == "GUILD_CREATE" })
        let delivered = try #require(setup.sink.events("GUILD_CREATE").first)
        #expect(sent.json.contains(delivered.data))
        #expect(await eventually { !Self.received(setup.emulator, op: 1).isEmpty }, "heartbeats flow")
        await Self.tearDown(setup)
    }

    @Test func hundredDropsLoseAndDuplicateNothing() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        var sent = 0
        for round in 1...100 {
            for _ in 0..<3 { sent += 1; setup.emulator.dispatch("TEST_EVENT", json: #"{"n":\#(sent)}"#, toShard: 0) }
            setup.emulator.inject(.dropConnections)
            // Events keep coming while the client is away; the resume must replay them.
            for _ in 0..<2 { sent += 1; setup.emulator.dispatch("TEST_EVENT", json: #"{"n":\#(sent)}"#, toShard: 0) }
            #expect(await eventually { setup.sink.events("RESUMED").count == round }, "round \(round)")
        }
        #expect(await eventually { setup.sink.events("TEST_EVENT").count >= sent })
        let numbers = setup.sink.events("TEST_EVENT").map(\.data)
        #expect(numbers == (1...sent).map { #"{"n":\#($0)}"# }, "every event once, in order")
        let sequences = setup.sink.dispatches.map(\.sequence)
        #expect(sequences == Array(1...(sequences.count)), "sequence numbers without gaps or repeats")
        #expect(Self.acceptedIdentifies(setup.emulator).count == 1, "every drop was resumed")
        #expect(Self.received(setup.emulator, op: 6).count == 100)
        await Self.tearDown(setup)
    }

    @Test func reconnectRequestResumes() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        setup.emulator.dispatch("TEST_EVENT", json: #"{"n":1}"#, toShard: 0)
        setup.emulator.inject(.reconnect)
        setup.emulator.dispatch("TEST_EVENT", json: #"{"n":2}"#, toShard: 0)
        #expect(await eventually { setup.sink.events("RESUMED").count == 1 })
        #expect(await eventually { setup.sink.events("TEST_EVENT").count == 2 })
        #expect(setup.sink.events("TEST_EVENT").map(\.data) == [#"{"n":1}"#, #"{"n":2}"#])
        // The client hung up with a code that keeps the session, then resumed it.
        let closes = Self.closesReceived(setup.emulator)
        #expect(closes.count == 1 && !closes.contains(1000) && !closes.contains(1001))
        #expect(Self.acceptedIdentifies(setup.emulator).count == 1)
        #expect(Self.received(setup.emulator, op: 6).count == 1)
        await Self.tearDown(setup)
    }

    @Test func resumableInvalidSessionResumes() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        setup.emulator.inject(.invalidSession(resumable: true))
        #expect(await eventually { setup.sink.events("RESUMED").count == 1 })
        #expect(Self.acceptedIdentifies(setup.emulator).count == 1)
        await Self.tearDown(setup)
    }

    @Test func nonResumableInvalidSessionIdentifiesAgain() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        guard case .ready(let first) = setup.client.shardStates[0] else { Issue.record("not ready"); return }
        setup.emulator.dispatch("TEST_EVENT", json: #"{"n":1}"#, toShard: 0)
        #expect(await eventually { setup.sink.events("TEST_EVENT").count == 1 })
        // Discord's identify interval has passed on the emulator's clock.
        setup.emulator.freezeClock()
        setup.emulator.advanceClock(ms: 5_000)
        setup.emulator.inject(.invalidSession(resumable: false))
        #expect(await eventually { setup.sink.events("READY").count == 2 })
        guard case .ready(let second) = setup.client.shardStates[0] else { Issue.record("not ready again"); return }
        #expect(first != second)
        #expect(Self.acceptedIdentifies(setup.emulator).count == 2)
        #expect(Self.received(setup.emulator, op: 6).isEmpty, "no resume of a dead session")
        // The new session starts its sequence afresh and is delivered, not mistaken for replays.
        #expect(setup.sink.events("READY").last?.sequence == 1)
        setup.emulator.dispatch("TEST_EVENT", json: #"{"n":2}"#, toShard: 0)
        #expect(await eventually { setup.sink.events("TEST_EVENT").count == 2 })
        await Self.tearDown(setup)
    }

    @Test func resumableCloseCodeResumes() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        setup.emulator.inject(.close(code: 4000))
        #expect(await eventually { setup.sink.events("RESUMED").count == 1 })
        #expect(Self.acceptedIdentifies(setup.emulator).count == 1)
        await Self.tearDown(setup)
    }

    @Test func sessionTimeoutCloseIdentifiesAgain() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        setup.emulator.freezeClock()
        setup.emulator.advanceClock(ms: 5_000)
        setup.emulator.inject(.close(code: 4009))
        #expect(await eventually { setup.sink.events("READY").count == 2 })
        #expect(Self.received(setup.emulator, op: 6).isEmpty, "4009 ends the session: no resume attempt")
        #expect(Self.acceptedIdentifies(setup.emulator).count == 2)
        await Self.tearDown(setup)
    }

    @Test func refusedResumeFallsBackToIdentify() async throws {
        // Sessions cannot be resumed at all on this emulator: the resume is answered with op 9.
        let setup = try await Self.setUp(emulator: { $0.resumeWindowMs = -1 })
        try await setup.client.start()
        setup.emulator.freezeClock()
        setup.emulator.advanceClock(ms: 5_000)
        setup.emulator.inject(.dropConnections)
        #expect(await eventually { setup.sink.events("READY").count == 2 })
        #expect(Self.received(setup.emulator, op: 6).count == 1)
        #expect(setup.sink.events("RESUMED").isEmpty)
        #expect(Self.acceptedIdentifies(setup.emulator).count == 2)
        #expect(setup.client.shardStates[0]?.isReady == true)
        await Self.tearDown(setup)
    }

    // MARK: refusals

    @Test func invalidTokenStopsWithoutRetrying() async throws {
        let setup = try await Self.setUp(token: "not-the-token")
        do {
            try await setup.client.start()
            Issue.record("start succeeded with a bad token")
        } catch let error as GatewayError {
            if case .fatalClose(let code, _) = error { #expect(code == 4004) } else { Issue.record("\(error)") }
            #expect("\(error)".contains("authentication failed: the token is invalid"))
            #expect(!"\(error)".contains("not-the-token"))
        }
        // Stopped for good: a stopped shard neither reconnects nor identifies again.
        #expect(await eventually { setup.sink.states.contains { $0.1.isStopped } })
        #expect(setup.emulator.identifies.count == 1, "no second identify with a token Discord refused")
        #expect(Set(setup.emulator.gatewayEvents.map(\.connectionID)).count == 1, "no reconnect")
        #expect(setup.sink.states.contains { $0.1.isStopped })
        #expect(!setup.log.all.contains { $0.contains("not-the-token") })
        await Self.tearDown(setup)
    }

    @Test func disallowedIntentsNameThePortalSetting() async throws {
        let setup = try await Self.setUp(intents: 1 | 1 << 15)
        await #expect {
            try await setup.client.start()
        } throws: { error in
            "\(error)".contains("disallowed intents: enable the privileged intents MESSAGE_CONTENT in the developer portal")
        }
        #expect(setup.emulator.identifies.count == 1)
        await Self.tearDown(setup)
    }

    // MARK: heartbeats

    @Test func zombieConnectionIsClosedAndResumed() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        setup.emulator.inject(.stopHeartbeatACKs)
        #expect(await eventually { Self.closesReceived(setup.emulator).contains(GatewayCloseCode.reconnecting) })
        setup.emulator.inject(.resumeHeartbeatACKs)
        #expect(await eventually { setup.sink.events("RESUMED").count >= 1 && setup.client.shardStates[0]?.isReady == true })
        #expect(!Self.closesReceived(setup.emulator).contains(1000), "the session was kept")
        #expect(Self.acceptedIdentifies(setup.emulator).count == 1)
        await Self.tearDown(setup)
    }

    @Test func firstHeartbeatWaitsIntervalTimesJitter() async throws {
        let clock = ManualClock()
        let setup = try await Self.setUp(emulator: { $0.heartbeatIntervalMs = 1_000 }, clock: clock, random: { 0.25 })
        try await setup.client.start()
        // The beats wait on the client's sleeper: a beat is sent only once its wait is over.
        let sleeper = try #require(setup.client.sleeper)
        let start = sleeper.nowNs
        let due = { (ms: UInt64) in start + ms * 1_000_000 }
        #expect(await eventually { sleeper.pendingDeadlinesNs.contains(due(250)) })
        clock.advance(byMs: 249)
        await sleeper.scheduler.caughtUp()
        #expect(sleeper.pendingDeadlinesNs.contains(due(250)), "no heartbeat before 1000 ms × 0.25")
        #expect(Self.received(setup.emulator, op: 1).isEmpty, "no heartbeat before 1000 ms × 0.25")
        clock.advance(byMs: 1)
        #expect(await eventually { Self.received(setup.emulator, op: 1).count == 1 })
        // Then one per interval, counted from the first. The next beat checks the ACK: a dispatch
        // sent after the ACK has reached the sink, so the ACK was read before it.
        #expect(await eventually { setup.emulator.gatewayEvents.contains { $0.direction == .sent && $0.op == 11 } })
        setup.emulator.userSendsMessage(channelID: 2001, content: "after the ACK")
        #expect(await eventually { !setup.sink.events("MESSAGE_CREATE").isEmpty })
        #expect(await eventually { sleeper.pendingDeadlinesNs.contains(due(1250)) })
        clock.advance(byMs: 999)
        await sleeper.scheduler.caughtUp()
        #expect(sleeper.pendingDeadlinesNs.contains(due(1250)))
        #expect(Self.received(setup.emulator, op: 1).count == 1)
        clock.advance(byMs: 1)
        #expect(await eventually { Self.received(setup.emulator, op: 1).count == 2 })
        let beat = try #require(Self.received(setup.emulator, op: 1).first)
        #expect(try JSONValue.parse(beat.json)["d"]?.numberValue?.int64 != nil, "heartbeats carry the last sequence")
        await Self.tearDown(setup)
    }

    // MARK: limits and sharding

    @Test func sendsBeyondTheBudgetWaitInsteadOfClosing() async throws {
        let clock = ManualClock()
        let setup = try await Self.setUp(clock: clock)
        setup.emulator.freezeClock()
        try await setup.client.start()
        let presence = Array(#"{"since":null,"activities":[],"status":"online","afk":false}"#.utf8)
        let client = setup.client
        let sleeper = try #require(client.sleeper)
        let windowEnd = sleeper.nowNs + 60_000_000_000
        let senders = (0..<115).map { _ in Task { try await client.send(shard: 0, op: 3, data: presence) } }
        #expect(await eventually { Self.received(setup.emulator, op: 3).count == 110 })
        // The other five sleep until the window moves on; none can send before its sleep is over.
        #expect(await eventually { sleeper.pendingDeadlinesNs.filter { $0 >= windowEnd }.count == 5 })
        #expect(Self.received(setup.emulator, op: 3).count == 110, "the rest wait for the window")
        // A minute later (on both clocks) the queued sends go out on the same connection.
        setup.emulator.advanceClock(ms: 60_000)
        clock.advance(byMs: 60_000)
        for sender in senders { try await sender.value }
        #expect(await eventually { Self.received(setup.emulator, op: 3).count == 115 })
        #expect(Self.closesReceived(setup.emulator).isEmpty)
        #expect(!setup.emulator.gatewayEvents.contains { $0.closeCode == 4008 })
        #expect(Set(setup.emulator.gatewayEvents.map(\.connectionID)).count == 1)
        await Self.tearDown(setup)
    }

    @Test func refusesPayloadsDiscordWouldReject() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        await #expect(throws: GatewayError.self) { try await setup.client.send(shard: 0, op: 2, data: Array("{}".utf8)) }
        await #expect(throws: GatewayError.self) { try await setup.client.send(shard: 0, op: 3, data: Array("{".utf8)) }
        let huge = Array(("\"" + String(repeating: "x", count: 5000) + "\"").utf8)
        await #expect(throws: GatewayError.self) { try await setup.client.send(shard: 0, op: 3, data: huge) }
        await #expect(throws: GatewayError.self) { try await setup.client.send(shard: 7, op: 3, data: Array("{}".utf8)) }
        await Self.tearDown(setup)
    }

    @Test func shardsIdentifyInBucketOrder() async throws {
        let clock = ManualClock()
        let setup = try await Self.setUp(emulator: { $0.shardCount = 4; $0.maxConcurrency = 2; $0.extraGuildCount = 8 },
                                         clock: clock, client: { $0.identifyBucketSpacing = .seconds(5) })
        setup.emulator.freezeClock()
        let client = setup.client
        let starting = Task { try await client.start() }
        // Wave one (shards 0 and 1, one per rate-limit key) identifies at once.
        #expect(await eventually { Self.acceptedIdentifies(setup.emulator).count == 2 })
        #expect(await eventually { client.shardStates[2] == .identifying && client.shardStates[3] == .identifying })
        // Both sleep until their keys' 5 s have passed, and identify only after.
        let sleeper = try #require(client.sleeper)
        let waveTwo = sleeper.nowNs + 5_000_000_000
        #expect(await eventually { sleeper.pendingDeadlinesNs.filter { $0 == waveTwo }.count == 2 }, "\(sleeper.pendingDeadlinesNs)")
        #expect(setup.emulator.identifies.count == 2, "wave two waits for its keys' 5 s")
        setup.emulator.advanceClock(ms: 5_000)
        clock.advance(byMs: 5_000)
        try await starting.value
        let identifies = setup.emulator.identifies
        #expect(identifies.map(\.shard) == [0, 1, 2, 3] || identifies.map(\.shard) == [1, 0, 2, 3] || identifies.map(\.shard) == [0, 1, 3, 2] || identifies.map(\.shard) == [1, 0, 3, 2])
        #expect(identifies.allSatisfy { $0.shardCount == 4 })
        #expect(Self.acceptedIdentifies(setup.emulator).count == 4, "none refused for identifying too early")
        #expect((0..<4).allSatisfy { client.shardStates[$0]?.isReady == true })
        await Self.tearDown(setup)
    }

    @Test func stopEndsTheSessionWith1000() async throws {
        let setup = try await Self.setUp()
        try await setup.client.start()
        await setup.client.stop()
        #expect(await eventually { Self.closesReceived(setup.emulator).contains(1000) })
        #expect(setup.client.shardStates[0] == .stopped(.requested))
        await #expect(throws: GatewayError.self) { try await setup.client.send(shard: 0, op: 3, data: Array("{}".utf8)) }
        await #expect(throws: GatewayError.self) { try await setup.client.start() }
        await Self.tearDown(setup)
    }
}
