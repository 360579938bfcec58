@testable import BotHost
import Testing
import DiscordEmulator
import NIOPosix

@Suite struct GatewayCloseCodeTests {
    private func action(_ code: Int?, intents: UInt64 = 0) -> GatewayCloseAction {
        GatewayCloseCode.action(for: code, shardID: 1, shardCount: 2, intents: intents)
    }

    private func message(_ code: Int, intents: UInt64 = 0) -> String? {
        if case .stop(.fatalClose(let c, let message)) = action(code, intents: intents), c == code { return message }
        return nil
    }

    @Test func dropsAndRecoverableCodesResume() {
        for code in [nil, 1000, 1001, 1006, 4000, 4001, 4002, 4003, 4005, 4008, 4900, 4999] as [Int?] {
            #expect(action(code) == .resume, "code \(String(describing: code))")
        }
    }

    @Test func invalidSequenceAndTimeoutStartANewSession() {
        #expect(action(4007) == .identify)
        #expect(action(4009) == .identify)
    }

    @Test func fatalCodesStopWithTheirCauseNamed() throws {
        #expect(try #require(message(4004)).contains("authentication failed: the token is invalid"))
        #expect(try #require(message(4010)).contains("invalid shard"))
        #expect(try #require(message(4010)).contains("[1, 2]"))
        #expect(try #require(message(4011)).contains("sharding required"))
        #expect(try #require(message(4012)).contains("invalid API version"))
        #expect(try #require(message(4013, intents: 1 << 40)).contains("invalid intents"))
        let disallowed = try #require(message(4014, intents: 1 << 1 | 1 << 9 | 1 << 15))
        #expect(disallowed.contains("disallowed intents: enable the privileged intents GUILD_MEMBERS, MESSAGE_CONTENT in the developer portal"))
        #expect(!disallowed.contains("GUILD_PRESENCES"))
    }

    @Test func theClientsOwnReconnectCloseKeepsTheSession() {
        #expect(GatewayCloseCode.reconnecting != 1000 && GatewayCloseCode.reconnecting != 1001)
    }
}

@Suite struct GatewayPayloadTests {
    private let token = "MTIz.secret\"token\\x"

    @Test func identifyCarriesIntentsPropertiesAndShard() throws {
        let bytes = GatewayPayload.identify(token: token, intents: 33281, shardID: 2, shardCount: 4, largeThreshold: 100,
                                            presence: Array(#"{"status":"idle","afk":false,"since":null,"activities":[]}"#.utf8))
        let value = try JSONValue.parse(bytes)
        #expect(value["op"]?.numberValue?.int64 == 2)
        let d = try #require(value["d"])
        #expect(d["token"]?.stringValue == token)
        #expect(d["intents"]?.numberValue?.int64 == 33281)
        #expect(d["properties"]?["os"]?.stringValue == "linux")
        #expect(d["properties"]?["browser"]?.stringValue == "bothost")
        #expect(d["properties"]?["device"]?.stringValue == "bothost")
        #expect(d["shard"]?.arrayValue?.compactMap { $0.numberValue?.int64 } == [2, 4])
        #expect(d["large_threshold"]?.numberValue?.int64 == 100)
        #expect(d["presence"]?["status"]?.stringValue == "idle")
    }

    @Test func resumeAndHeartbeatShapes() throws {
        let resume = try JSONValue.parse(GatewayPayload.resume(token: token, sessionID: "s\"1", sequence: 77))
        #expect(resume["op"]?.numberValue?.int64 == 6)
        #expect(resume["d"]?["token"]?.stringValue == token)
        #expect(resume["d"]?["session_id"]?.stringValue == "s\"1")
        #expect(resume["d"]?["seq"]?.numberValue?.int64 == 77)
        #expect(GatewayPayload.heartbeat(sequence: nil) == Array(#"{"op":1,"d":null}"#.utf8))
        #expect(GatewayPayload.heartbeat(sequence: 5) == Array(#"{"op":1,"d":5}"#.utf8))
        #expect(GatewayPayload.event(op: 3, data: Array("{}".utf8)) == Array(#"{"op":3,"d":{}}"#.utf8))
    }

    @Test func loggedPayloadsNeverContainTheToken() {
        let identify = GatewayPayload.identify(token: token, intents: 1, shardID: 0, shardCount: 1, largeThreshold: 50, presence: nil)
        let logged = GatewayPayload.loggable(identify, token: token)
        #expect(!logged.contains("secret"))
        #expect(logged.contains(GatewayPayload.redactedToken))
        let resume = GatewayPayload.loggable(GatewayPayload.resume(token: token, sessionID: "abc", sequence: 1), token: token)
        #expect(!resume.contains("secret") && resume.contains("abc"))
    }

    @Test func printingAConfigurationHidesTheToken() {
        let configuration = GatewayConfiguration(token: "very-secret-token", intents: 513)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains("very-secret-token"), "\(text)")
        }
    }

    @Test func configurationIsValidatedBeforeConnecting() {
        #expect(throws: GatewayError.self) { try GatewayConfiguration(token: "", intents: 0).validate() }
        #expect(throws: GatewayError.self) { try GatewayConfiguration(token: "t", intents: 0, shardCount: 0).validate() }
        #expect(throws: GatewayError.self) { try GatewayConfiguration(token: "t", intents: 0, largeThreshold: 251).validate() }
        #expect(throws: GatewayError.self) { try GatewayConfiguration(token: "t", intents: 0, presence: Array("{".utf8)).validate() }
        #expect(throws: Never.self) { try GatewayConfiguration(token: "t", intents: 0).validate() }
    }
}

@Suite struct GatewayEndpointTests {
    @Test func addsVersionEncodingAndCompression() throws {
        let plain = try WebSocketEndpoint.parse("ws://127.0.0.1:8080", compress: false)
        #expect(plain == WebSocketEndpoint(secure: false, host: "127.0.0.1", port: 8080, requestURI: "/?v=10&encoding=json"))
        let compressed = try WebSocketEndpoint.parse("ws://localhost/gateway?v=9&x=1#frag", compress: true)
        #expect(compressed.port == 80)
        #expect(compressed.requestURI == "/gateway?x=1&v=10&encoding=json&compress=zlib-stream")
        #expect(compressed.hostHeader == "localhost")
        let v6 = try WebSocketEndpoint.parse("ws://[::1]:9000/", compress: false)
        #expect(v6.host == "::1" && v6.port == 9000 && v6.hostHeader == "[::1]:9000")
        let discord = try WebSocketEndpoint.parse("wss://gateway.discord.gg", compress: true)
        #expect(discord.secure && discord.port == 443)
    }

    @Test func refusesWhatCannotBeUsed() {
        for url in ["http://x", "gateway.discord.gg", "ws://", "ws://host:0", "ws://host:99999", "ws://user@host", "ws://[::1"] {
            #expect(throws: GatewayError.self, "\(url)") { try WebSocketEndpoint.parse(url, compress: false) }
        }
    }

    @Test func wssURLsSpeakTLS() async throws {
        // The local emulator speaks plain ws://; a wss:// connection to it must fail in the TLS
        // handshake — it would succeed if wss:// were silently treated as plain TCP.
        let emulator = DiscordEmulator()
        try await emulator.start()
        let endpoint = try WebSocketEndpoint.parse("wss://127.0.0.1:\(emulator.gatewayPort)/gateway", compress: false)
        try WebSocketClient.checkSupported(endpoint)
        await #expect(throws: (any Error).self) {
            _ = try await WebSocketClient.connect(to: endpoint, group: MultiThreadedEventLoopGroup.singleton,
                                                timeout: .seconds(5), maxMessageBytes: 1 << 20)
        }
        await emulator.shutdown()
    }

    private struct NullSink: GatewayEventSink {
        func gatewayDispatch(shard: Int, event: String, data: ArraySlice<UInt8>, sequence: Int) {}
        func gatewayStateChanged(shard: Int, state: ShardState) {}
    }

    @Test func decodesGatewayBot() throws {
        let info = try GatewayBotInfo(json: Array(#"{"url":"wss://gateway.discord.gg","shards":9,"session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":16}}"#.utf8))
        #expect(info == GatewayBotInfo(url: "wss://gateway.discord.gg", shards: 9, sessionStartLimit: .init(total: 1000, remaining: 999, resetAfterMs: 14_400_000, maxConcurrency: 16)))
        #expect(throws: GatewayError.self) { try GatewayBotInfo(json: Array(#"{"url":"x"}"#.utf8)) }
        #expect(throws: GatewayError.self) { try GatewayBotInfo(json: Array("nope".utf8)) }
    }
}
