@testable import DiscordClient
import BotHostCore
import Foundation
import NIOCore
import Testing

/// The pure parts of the voice connection layer: IP discovery packets, mode choice, close codes,
/// the join state machine, payloads in and out, endpoints and the ws/wss rule.
@Suite struct VoiceConnectionUnitTests {
    // MARK: IP discovery

    private func response(type: UInt16 = 2, length: UInt16 = 70, ssrc: UInt32 = 0xDEAD_BEEF,
                          address: [UInt8] = Array("203.0.113.7".utf8), port: UInt16 = 50_123, total: Int = 74) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(type)
        buffer.writeInteger(length)
        buffer.writeInteger(ssrc)
        var field = address + [UInt8](repeating: 0, count: max(0, 64 - address.count))
        field = Array(field.prefix(64))
        buffer.writeBytes(field)
        buffer.writeInteger(port)
        if total > 74 { buffer.writeRepeatingByte(0, count: total - 74) }
        if total < 74 { buffer.moveWriterIndex(to: total) }
        return buffer
    }

    @Test func discoveryRequestIs74BigEndianBytesWithTheSSRC() {
        var buffer = ByteBuffer()
        VoiceIPDiscovery.writeRequest(ssrc: 0x0102_0304, into: &buffer)
        let bytes = Array(buffer.readableBytesView)
        #expect(bytes.count == 74)
        #expect(Array(bytes[0..<8]) == [0x00, 0x01, 0x00, 0x46, 0x01, 0x02, 0x03, 0x04])
        #expect(bytes[8...].allSatisfy { $0 == 0 })
    }

    @Test func discoveryResponseYieldsTheExternalAddress() throws {
        let parsed = try VoiceIPDiscovery.parseResponse(response())
        #expect(parsed.ssrc == 0xDEAD_BEEF)
        #expect(parsed.address == VoiceExternalAddress(ip: "203.0.113.7", port: 50_123))
        #expect(VoiceIPDiscovery.looksLikeResponse(response()))
    }

    @Test func malformedDiscoveryResponsesAreRefused() {
        let malformed: [(String, ByteBuffer)] = [
            ("short", response(total: 73)),
            ("long", response(total: 75)),
            ("request type", response(type: 1)),
            ("length field", response(length: 74)),
            ("no terminator", response(address: [UInt8](repeating: UInt8(ascii: "1"), count: 64))),
            ("empty address", response(address: [])),
            ("control byte", response(address: [0x31, 0x07, 0x32])),
            ("port 0", response(port: 0)),
        ]
        for (name, buffer) in malformed {
            #expect(throws: VoiceConnectionError.self, "\(name)") { try VoiceIPDiscovery.parseResponse(buffer) }
        }
        // RTP (version 2 in the first byte) never looks like a discovery answer.
        var rtp = ByteBuffer(bytes: [0x80, 0x78] + [UInt8](repeating: 0, count: 72))
        #expect(!VoiceIPDiscovery.looksLikeResponse(rtp))
        rtp.moveReaderIndex(forwardBy: 1)
        #expect(!VoiceIPDiscovery.looksLikeResponse(rtp))
    }

    // MARK: encryption mode

    @Test func aesGCMIsPreferredWhenOfferedAndUsable() throws {
        let both = ["aead_aes256_gcm_rtpsize", "aead_xchacha20_poly1305_rtpsize", "xsalsa20_poly1305"]
        #expect(try VoiceEncryptionMode.choose(offered: both, aes256GCMUsable: true) == .aeadAES256GCMRTPSize)
        #expect(try VoiceEncryptionMode.choose(offered: both, aes256GCMUsable: false) == .aeadXChaCha20Poly1305RTPSize)
        #expect(try VoiceEncryptionMode.choose(offered: ["aead_xchacha20_poly1305_rtpsize"], aes256GCMUsable: true) == .aeadXChaCha20Poly1305RTPSize)
    }

    @Test func noCommonModeIsAClearError() {
        #expect(throws: VoiceConnectionError.noCommonEncryptionMode(offered: ["xsalsa20_poly1305_lite"], note: nil)) {
            try VoiceEncryptionMode.choose(offered: ["xsalsa20_poly1305_lite"], aes256GCMUsable: true)
        }
        do {
            _ = try VoiceEncryptionMode.choose(offered: ["aead_aes256_gcm_rtpsize"], aes256GCMUsable: false)
            Issue.record("an AES-only server on a CPU without AES must fail")
        } catch {
            #expect(error.description.contains("cannot run"))
            #expect(error.description.contains("aead_xchacha20_poly1305_rtpsize"))
        }
    }

    // MARK: close codes

    @Test func closeCodesAreClassified() {
        #expect(VoiceCloseCode.action(for: nil) == .resume)
        #expect(VoiceCloseCode.action(for: 4015) == .resume)
        #expect(VoiceCloseCode.action(for: 1001) == .resume)
        #expect(VoiceCloseCode.action(for: 4000) == .resume)
        #expect(VoiceCloseCode.action(for: 4006) == .newSession)
        #expect(VoiceCloseCode.action(for: 4009) == .newSession)
        #expect(VoiceCloseCode.action(for: 4014) == .awaitNewServer)
        #expect(VoiceCloseCode.action(for: 4021) == .end(.rateLimited))
        #expect(VoiceCloseCode.action(for: 4022) == .end(.callTerminated))
        #expect(VoiceCloseCode.action(for: 4016) == .end(.failed(.unknownEncryptionMode)))
        #expect(VoiceCloseCode.action(for: 4017) == .end(.failed(.endToEndEncryptionRefused)))
        #expect(VoiceCloseCode.action(for: 4004) == .end(.failed(.authenticationFailed)))
        for code in [4001, 4002, 4003, 4005, 4011, 4012, 4020] {
            guard case .end(.failed(.rejected(let rejected, _))) = VoiceCloseCode.action(for: code) else {
                Issue.record("\(code) must end the session")
                continue
            }
            #expect(rejected == code)
        }
    }

    @Test func theDAVEErrorSaysWhatWasRefused() {
        let text = VoiceConnectionError.endToEndEncryptionRefused.description
        #expect(text.contains("end-to-end encryption"))
        #expect(text.contains("DAVE"))
        #expect(text.contains("refused"))
        #expect(!text.contains("does not support"))
    }

    // MARK: the join state machine

    private let credentials = VoiceCredentials(sessionID: "s1", token: "t1", endpoint: "voice.example:443")

    @Test func stateThenServerStartsTheSession() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        #expect(tracker.voiceState(channelID: 10, sessionID: "s1").isEmpty)
        #expect(tracker.missingStep == "VOICE_SERVER_UPDATE")
        #expect(tracker.voiceServer(token: "t1", endpoint: "voice.example:443") == [.connect(credentials)])
        #expect(tracker.missingStep == nil)
    }

    @Test func serverThenStateStartsTheSession() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        #expect(tracker.voiceServer(token: "t1", endpoint: "voice.example:443").isEmpty)
        #expect(tracker.missingStep?.contains("VOICE_STATE_UPDATE in channel 10") == true)
        #expect(tracker.voiceState(channelID: 10, sessionID: "s1") == [.connect(credentials)])
    }

    @Test func aNullEndpointWaitsForTheNextServerUpdate() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        #expect(tracker.voiceServer(token: "t0", endpoint: nil).isEmpty)
        #expect(tracker.voiceState(channelID: 10, sessionID: "s1").isEmpty)
        #expect(tracker.missingStep?.contains("with an endpoint") == true)
        #expect(tracker.voiceServer(token: "t1", endpoint: "voice.example:443") == [.connect(credentials)])
    }

    @Test func aFreshJoinIgnoresStaleStates() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        // A leftover leave and the state of another channel do not complete a join of channel 10.
        #expect(tracker.voiceState(channelID: nil, sessionID: "s1").isEmpty)
        #expect(tracker.voiceServer(token: "t1", endpoint: "voice.example:443").isEmpty)
        #expect(tracker.voiceState(channelID: 11, sessionID: "s1").isEmpty)
        #expect(!tracker.isInTargetChannel)
        #expect(tracker.voiceState(channelID: 10, sessionID: "s1") == [.connect(credentials)])
        #expect(tracker.isInTargetChannel)
    }

    @Test func aMoveAndItsNewServerRestartTheSession() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        _ = tracker.voiceState(channelID: 10, sessionID: "s1")
        _ = tracker.voiceServer(token: "t1", endpoint: "voice.example:443")
        #expect(tracker.voiceState(channelID: 12, sessionID: "s1") == [.moved(channelID: 12)])
        #expect(tracker.channelID == 12)
        let moved = VoiceCredentials(sessionID: "s1", token: "t2", endpoint: "voice2.example:443")
        #expect(tracker.voiceServer(token: "t2", endpoint: "voice2.example:443") == [.connect(moved)])
        // The same update again (a replay after a gateway resume) changes nothing.
        #expect(tracker.voiceServer(token: "t2", endpoint: "voice2.example:443").isEmpty)
        #expect(tracker.voiceState(channelID: 12, sessionID: "s1").isEmpty)
    }

    @Test func aMoveWhoseServerUpdateComesFirstRestartsAtOnce() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        _ = tracker.voiceServer(token: "t1", endpoint: "voice.example:443")
        _ = tracker.voiceState(channelID: 10, sessionID: "s1")
        tracker.request(channelID: 12)
        let moved = VoiceCredentials(sessionID: "s1", token: "t2", endpoint: "voice.example:443")
        #expect(tracker.voiceServer(token: "t2", endpoint: "voice.example:443") == [.connect(moved)])
        #expect(!tracker.isInTargetChannel)
        // A new session id updates what the next identify uses, without another restart.
        let renewed = VoiceCredentials(sessionID: "s2", token: "t2", endpoint: "voice.example:443")
        #expect(tracker.voiceState(channelID: 12, sessionID: "s2") == [.moved(channelID: 12), .update(renewed)])
        #expect(tracker.isInTargetChannel)
        #expect(tracker.credentials == renewed)
    }

    @Test func aMoveWithANewSessionIDRestartsOnlyOnTheServerUpdate() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        _ = tracker.voiceState(channelID: 10, sessionID: "s1")
        _ = tracker.voiceServer(token: "t1", endpoint: "voice.example:443")
        let interim = VoiceCredentials(sessionID: "s2", token: "t1", endpoint: "voice.example:443")
        #expect(tracker.voiceState(channelID: 12, sessionID: "s2") == [.moved(channelID: 12), .update(interim)])
        let moved = VoiceCredentials(sessionID: "s2", token: "t2", endpoint: "voice.example:443")
        #expect(tracker.voiceServer(token: "t2", endpoint: "voice.example:443") == [.connect(moved)])
    }

    @Test func reallocationSuspendsThenReconnects() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        _ = tracker.voiceState(channelID: 10, sessionID: "s1")
        _ = tracker.voiceServer(token: "t1", endpoint: "voice.example:443")
        #expect(tracker.voiceServer(token: "t1", endpoint: nil) == [.suspend])
        #expect(tracker.voiceServer(token: "t1", endpoint: nil).isEmpty)
        // Even the very same server again must reconnect: the session was dropped meanwhile.
        #expect(tracker.voiceServer(token: "t1", endpoint: "voice.example:443") == [.connect(credentials)])
    }

    @Test func leavingTheChannelEndsAStartedSession() {
        var tracker = VoiceJoinTracker(guildID: 1, channelID: 10)
        _ = tracker.voiceState(channelID: 10, sessionID: "s1")
        _ = tracker.voiceServer(token: "t1", endpoint: "voice.example:443")
        #expect(tracker.voiceState(channelID: nil, sessionID: "s1") == [.ended])
        #expect(tracker.channelID == nil)
    }

    @Test func guildsMapToShardsBySnowflake() {
        let guild: UInt64 = (123_456 << 22) | 99
        #expect(VoiceManager.shard(for: guild, count: 1) == 0)
        #expect(VoiceManager.shard(for: guild, count: 16) == 123_456 % 16)
        #expect(VoiceManager.shard(for: guild, count: 0) == 0)
    }

    // MARK: settings and endpoints

    @Test func voiceUsesWSOnlyWhenTheGatewayDoes() {
        #expect(VoiceConnectionSettings.usesTLS(forGatewayURL: nil))
        #expect(VoiceConnectionSettings.usesTLS(forGatewayURL: "wss://gateway.discord.gg"))
        #expect(!VoiceConnectionSettings.usesTLS(forGatewayURL: "ws://127.0.0.1:1234/gateway"))
        #expect(!VoiceConnectionSettings.usesTLS(forGatewayURL: "  WS://localhost/gateway"))
        #expect(!VoiceConnectionSettings(gatewayURL: "ws://127.0.0.1:1/gateway").secureWebSocket)
        #expect(VoiceConnectionSettings(gatewayURL: nil).secureWebSocket)
    }

    @Test func endpointsBecomeVersion8WebSocketURLs() throws {
        let discord = try VoiceEndpoint.webSocket(for: "c-fra09-1234.discord.media:443", secure: true)
        #expect(discord.description == "wss://c-fra09-1234.discord.media/?v=8")
        #expect(discord.port == 443)
        let local = try VoiceEndpoint.webSocket(for: "127.0.0.1:5055", secure: false)
        #expect(local.description == "ws://127.0.0.1:5055/?v=8")
        let schemed = try VoiceEndpoint.webSocket(for: "wss://voice.example:8443/ignored?x=1", secure: false)
        #expect(schemed.description == "ws://voice.example:8443/?v=8")
        #expect(try VoiceEndpoint.webSocket(for: "voice.example", secure: true).port == 443)
        for bad in ["", "  ", ":443", "voice.example:notaport", "voice.example:70000"] {
            #expect(throws: VoiceConnectionError.self, "\(bad)") { try VoiceEndpoint.webSocket(for: bad, secure: true) }
        }
    }

    // MARK: payloads out

    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func identifyAnnouncesTheDAVEVersionOffered() throws {
        let none = try object(VoiceClientPayload.identify(serverID: 2000, userID: 1001, sessionID: "s", token: "t", maxDAVEProtocolVersion: 0))
        #expect((none["d"] as? [String: Any])?["max_dave_protocol_version"] as? Int == 0)
        let payload = try object(VoiceClientPayload.identify(serverID: 2000, userID: 1001, sessionID: "se\"ss", token: "to\\ken",
                                                             maxDAVEProtocolVersion: 1))
        #expect(payload["op"] as? Int == 0)
        let d = try #require(payload["d"] as? [String: Any])
        #expect(d["server_id"] as? String == "2000")
        #expect(d["user_id"] as? String == "1001")
        #expect(d["session_id"] as? String == "se\"ss")
        #expect(d["token"] as? String == "to\\ken")
        #expect(d["max_dave_protocol_version"] as? Int == 1)
    }

    @Test func heartbeatResumeSelectAndSpeakingHaveTheV8Shapes() throws {
        let heartbeat = try object(VoiceClientPayload.heartbeat(nonce: 1_700_000_000_123, sequenceAck: 7))
        #expect(heartbeat["op"] as? Int == 3)
        let beat = try #require(heartbeat["d"] as? [String: Any])
        #expect((beat["t"] as? NSNumber)?.int64Value == 1_700_000_000_123)
        #expect(beat["seq_ack"] as? Int == 7)

        let resume = try object(VoiceClientPayload.resume(serverID: 2000, sessionID: "s", token: "t", sequenceAck: 9))
        #expect(resume["op"] as? Int == 7)
        let r = try #require(resume["d"] as? [String: Any])
        #expect(r["server_id"] as? String == "2000")
        #expect(r["seq_ack"] as? Int == 9)

        let select = try object(VoiceClientPayload.selectProtocol(address: VoiceExternalAddress(ip: "1.2.3.4", port: 5678), mode: .aeadXChaCha20Poly1305RTPSize))
        #expect(select["op"] as? Int == 1)
        let s = try #require(select["d"] as? [String: Any])
        #expect(s["protocol"] as? String == "udp")
        let data = try #require(s["data"] as? [String: Any])
        #expect(data["address"] as? String == "1.2.3.4")
        #expect(data["port"] as? Int == 5678)
        #expect(data["mode"] as? String == "aead_xchacha20_poly1305_rtpsize")

        let speaking = try object(VoiceClientPayload.speaking([.microphone, .priority], ssrc: 42))
        let sp = try #require(speaking["d"] as? [String: Any])
        #expect(speaking["op"] as? Int == 5)
        #expect(sp["speaking"] as? Int == 5)
        #expect(sp["delay"] as? Int == 0)
        #expect(sp["ssrc"] as? Int == 42)
    }

    @Test func op4JoinsAndLeaves() throws {
        let join = try object(VoiceClientPayload.voiceStateUpdate(guildID: 2000, channelID: 2002, selfMute: false, selfDeaf: true))
        #expect(join["guild_id"] as? String == "2000")
        #expect(join["channel_id"] as? String == "2002")
        #expect(join["self_mute"] as? Bool == false)
        #expect(join["self_deaf"] as? Bool == true)
        let leave = try object(VoiceClientPayload.voiceStateUpdate(guildID: 2000, channelID: nil, selfMute: false, selfDeaf: false))
        #expect(leave["channel_id"] is NSNull)
    }

    // MARK: messages in

    @Test func serverMessagesAreRead() throws {
        let envelope = try VoiceServerEnvelope.scan(Array(#"{"op":2,"d":{"ssrc":1234,"ip":"127.0.0.1","port":5000,"modes":["aead_aes256_gcm_rtpsize","aead_xchacha20_poly1305_rtpsize"],"experiments":[]},"seq":3}"#.utf8))
        #expect(envelope.op == 2)
        #expect(envelope.sequence == 3)
        let ready = try VoiceServerMessage.ready(envelope.data)
        #expect(ready == VoiceServerMessage.Ready(ssrc: 1234, ip: "127.0.0.1", port: 5000,
                                                  modes: ["aead_aes256_gcm_rtpsize", "aead_xchacha20_poly1305_rtpsize"]))
        #expect(try VoiceServerMessage.hello(Array(#"{"heartbeat_interval":13750.5}"#.utf8)[...]) == 13750.5)

        let key = (0..<32).map(String.init).joined(separator: ",")
        let description = try VoiceServerMessage.sessionDescription(Array(#"{"mode":"aead_aes256_gcm_rtpsize","secret_key":[\#(key)],"dave_protocol_version":0}"#.utf8)[...])
        #expect(description.mode == "aead_aes256_gcm_rtpsize")
        #expect(description.secretKey == Array(0..<32))
        #expect(description.daveProtocolVersion == 0)
        let dave = try VoiceServerMessage.sessionDescription(Array(#"{"mode":"aead_aes256_gcm_rtpsize","secret_key":[\#(key)],"dave_protocol_version":1}"#.utf8)[...])
        #expect(dave.daveProtocolVersion == 1)
        let before = try VoiceServerMessage.sessionDescription(Array(#"{"mode":"aead_aes256_gcm_rtpsize","secret_key":[\#(key)]}"#.utf8)[...])
        #expect(before.daveProtocolVersion == 0)

        let speaking = try VoiceServerMessage.speaking(Array(#"{"user_id":"3000","ssrc":77,"speaking":1}"#.utf8)[...])
        #expect(speaking == VoiceServerMessage.Speaking(userID: 3000, ssrc: 77))
        #expect(try VoiceServerMessage.clientsConnect(Array(#"{"user_ids":["3000","3001"]}"#.utf8)[...]) == [3000, 3001])
        #expect(try VoiceServerMessage.clientDisconnect(Array(#"{"user_id":"3000"}"#.utf8)[...]) == 3000)
        let header = VoiceServerEnvelope.binaryHeader([0x01, 0x02, 25, 0xAA])
        #expect(header?.sequence == 258)
        #expect(header?.op == 25)
        #expect(VoiceServerEnvelope.binaryHeader([0x01, 0x02]) == nil)
    }

    @Test func unusableServerMessagesAreRefused() {
        let short = (0..<31).map(String.init).joined(separator: ",")
        let big = (0..<31).map(String.init).joined(separator: ",") + ",256"
        for bad in [#"{"mode":"m","secret_key":[\#(short)]}"#, #"{"mode":"m","secret_key":[\#(big)]}"#, #"{"secret_key":[]}"#] {
            #expect(throws: JSONScanError.self) { try VoiceServerMessage.sessionDescription(Array(bad.utf8)[...]) }
        }
        for bad in [#"{"ssrc":1,"ip":"","port":1,"modes":[]}"#, #"{"ssrc":-1,"ip":"a","port":1,"modes":[]}"#,
                    #"{"ssrc":1,"ip":"a","port":0,"modes":[]}"#, #"{"ssrc":1,"ip":"a","port":1,"modes":[1]}"#] {
            #expect(throws: JSONScanError.self) { try VoiceServerMessage.ready(Array(bad.utf8)[...]) }
        }
        #expect(throws: JSONScanError.self) { try VoiceServerEnvelope.scan(Array(#"{"d":{}}"#.utf8)) }
    }

    @Test func dispatchesAreRead() throws {
        let ready = try ReadyEvent.decode(Array(#"{"v":10,"user":{"id":"1001","username":"bot"},"guilds":[{"id":"1","unavailable":true}],"session_id":"x","shard":[0,4]}"#.utf8)[...])
        #expect(ready.userID == 1001)
        #expect(ready.shardCount == 4)
        #expect(try ReadyEvent.decode(Array(#"{"user":{"id":"7"}}"#.utf8)[...]).shardCount == nil)

        let state = try VoiceDispatchFields.voiceState(Array(#"{"member":{"user":{"id":"1001"},"roles":[]},"user_id":"1001","session_id":"abc","guild_id":"2000","channel_id":null,"self_mute":false}"#.utf8)[...])
        #expect(state == VoiceDispatchFields.VoiceState(guildID: 2000, channelID: nil, userID: 1001, sessionID: "abc"))

        let server = try VoiceDispatchFields.voiceServer(Array(#"{"token":"tok","guild_id":"2000","endpoint":null}"#.utf8)[...])
        #expect(server == VoiceDispatchFields.VoiceServer(guildID: 2000, token: "tok", endpoint: nil))
        #expect(try VoiceDispatchFields.voiceServer(Array(#"{"token":"tok","guild_id":"2000","endpoint":""}"#.utf8)[...]).endpoint == nil)
        #expect(throws: JSONScanError.self) { try VoiceDispatchFields.voiceServer(Array(#"{"guild_id":"2000"}"#.utf8)[...]) }
    }
}
