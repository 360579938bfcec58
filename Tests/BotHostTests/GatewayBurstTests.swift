@testable import BotHost
import DiscordEmulator
import Foundation
import Testing

/// The local Discord's dispatch bursts against the host's gateway client over zlib-stream: a
/// burst is compressed ahead of time with the connection's own deflate context and written as
/// one unit, so a frame compressed after it must reach the client after it, never inside it, or
/// the client's inflate context breaks.
@Suite struct GatewayBurstTests {
    typealias Rig = GatewayIntegrationTests

    /// `d` objects of ~1 KB that compress poorly, so a burst spans several socket chunks.
    static func payloads(_ range: Range<Int>) -> [[UInt8]] {
        range.map { n in
            var state = UInt64(n) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = (0..<120).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return String(state >> 32, radix: 16)
            }.joined()
            return Array(#"{"n":\#(n),"noise":"\#(noise)"}"#.utf8)
        }
    }

    @Test func burstsArriveWholeAndInOrderAroundAHeartbeat() async throws {
        let setup = try await Rig.setUp()
        let (emulator, client, sink) = (setup.emulator, setup.client, setup.sink)
        try await client.start()
        guard case .ready(let sessionID) = client.shardStates[0] else { Issue.record("not ready"); return }
        #expect(await eventually { !sink.events("GUILD_CREATE").isEmpty })
        let heartbeatsBefore = Rig.received(emulator, op: 1).count

        let first = emulator.dispatchBurst("BURST_EVENT", payloads: Self.payloads(0..<1000), toShard: 0)
        // Queued right behind the burst: the heartbeat request, the client's heartbeat and its ACK
        // are compressed after it and must reach the client after it.
        emulator.inject(.requestHeartbeat, shard: 0)
        #expect(await eventually { Rig.received(emulator, op: 1).count > heartbeatsBefore })
        #expect(await eventually { emulator.gatewayEvents.contains { $0.direction == .sent && $0.op == 11 } })
        let second = emulator.dispatchBurst("BURST_EVENT", payloads: Self.payloads(1000..<2000), toShard: 0)
        // A live dispatch queued while the second burst is being written goes out after it.
        emulator.dispatch("BURST_EVENT", Self.payloads(2000..<2001)[0], toShard: 0)

        #expect(first.events == 1000 && first.sessions == 1 && second.events == 1000)
        let firstWrite = try await first.written()
        let secondWrite = try await second.written()
        #expect(first.bytes > 2 * 256 * 1024, "a burst of several chunks")
        #expect(firstWrite.finished <= secondWrite.started)

        #expect(await eventually { sink.events("BURST_EVENT").count >= 2001 })
        let expected = Self.payloads(0..<2001).map { String(decoding: $0, as: UTF8.self) }
        #expect(sink.events("BURST_EVENT").map(\.data) == expected, "every event once, in order, intact")
        let sequences = sink.dispatches.map(\.sequence)
        #expect(sequences == Array(1...sequences.count), "consecutive sequence numbers")

        // An ACK was compressed between the two bursts.
        let sent = emulator.gatewayEvents.filter { $0.direction == .sent }
        let lastOfFirst = try #require(sent.lastIndex { $0.t == "BURST_EVENT" && $0.json.contains(#"{"n":999,"#) })
        let firstOfSecond = try #require(sent.firstIndex { $0.t == "BURST_EVENT" && $0.json.contains(#"{"n":1000,"#) })
        #expect(sent[lastOfFirst..<firstOfSecond].contains { $0.op == 11 })

        // A corrupted stream would have made the client hang up and resume, hiding the damage.
        #expect(Rig.closesReceived(emulator).isEmpty)
        #expect(Rig.received(emulator, op: 6).isEmpty)
        #expect(Rig.acceptedIdentifies(emulator).count == 1)
        #expect(Set(emulator.gatewayEvents.map(\.connectionID)).count == 1)
        #expect(client.shardStates[0] == .ready(sessionID: sessionID))
        await Rig.tearDown(setup)
    }
}
