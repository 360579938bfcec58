import COpus
import CSodium
import DiscordEmulator
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A UDP socket on 127.0.0.1 for the voice tests: sends datagrams, keeps every one received.
final class VoiceTestUDPSocket: Sendable {
    private let channel: any Channel
    private let inbox: Inbox
    let port: Int

    final class Inbox: Sendable {
        let state = Mutex<(datagrams: [[UInt8]], cursor: Int)>(([], 0))
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let inbox: Inbox
        init(inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
            inbox.state.withLock { $0.datagrams.append(bytes) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {}
    }

    private init(channel: any Channel, inbox: Inbox, port: Int) {
        self.channel = channel
        self.inbox = inbox
        self.port = port
    }

    static func bind() async throws -> VoiceTestUDPSocket {
        let inbox = Inbox()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(inbox: inbox)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return VoiceTestUDPSocket(channel: channel, inbox: inbox, port: channel.localAddress?.port ?? 0)
    }

    func send(_ bytes: [UInt8], toPort port: Int) async throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes))).get()
    }

    /// The next datagram not yet taken, waiting up to `timeout`.
    func next(timeout: Duration = .seconds(10)) async -> [UInt8]? {
        await eventuallyValue(timeout: timeout) { () -> [UInt8]? in
            inbox.state.withLock { state -> [UInt8]? in
                guard state.cursor < state.datagrams.count else { return nil }
                state.cursor += 1
                return state.datagrams[state.cursor - 1]
            }
        }
    }

    func close() async { try? await channel.close() }
}

/// The test's own transport crypto and Opus, written against libsodium and libopus directly so
/// the emulator is checked by something that shares none of its code.
enum VoiceTestMedia {
    static let xchacha = "aead_xchacha20_poly1305_rtpsize"
    static let aesGCM = "aead_aes256_gcm_rtpsize"

    /// `aad ‖ AEAD(plaintext) ‖ 4-byte BE counter`, the nonce being the counter in the first four
    /// bytes of a zeroed 12-byte (AES-GCM) or 24-byte (XChaCha) buffer.
    static func seal(aad: [UInt8], plaintext: [UInt8], counter: UInt32, mode: String, key: [UInt8]) -> [UInt8] {
        _ = sodium_init()
        let counterBytes = [UInt8(counter >> 24), UInt8(counter >> 16 & 0xFF), UInt8(counter >> 8 & 0xFF), UInt8(counter & 0xFF)]
        var nonce = [UInt8](repeating: 0, count: mode == aesGCM ? 12 : 24)
        nonce.replaceSubrange(0..<4, with: counterBytes)
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var length: UInt64 = 0
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            if mode == aesGCM {
                _ = crypto_aead_aes256gcm_encrypt(base, &length, plaintext, UInt64(plaintext.count), aad, UInt64(aad.count), nil, nonce, key)
            } else {
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(base, &length, plaintext, UInt64(plaintext.count), aad, UInt64(aad.count), nil, nonce, key)
            }
        }
        return aad + out.prefix(Int(length)) + counterBytes
    }

    /// The decrypted part of a packet whose first `aadLength` bytes are in clear; nil if it
    /// does not authenticate.
    static func open(_ packet: [UInt8], aadLength: Int, mode: String, key: [UInt8]) -> [UInt8]? {
        _ = sodium_init()
        guard packet.count >= aadLength + 20 else { return nil }
        var nonce = [UInt8](repeating: 0, count: mode == aesGCM ? 12 : 24)
        nonce.replaceSubrange(0..<4, with: packet.suffix(4))
        let aad = Array(packet[0..<aadLength])
        let sealed = Array(packet[aadLength..<packet.count - 4])
        var out = [UInt8](repeating: 0, count: sealed.count)
        var length: UInt64 = 0
        let status = out.withUnsafeMutableBufferPointer { buffer in
            if mode == aesGCM {
                crypto_aead_aes256gcm_decrypt(buffer.baseAddress, &length, nil, sealed, UInt64(sealed.count), aad, UInt64(aad.count), nonce, key)
            } else {
                crypto_aead_xchacha20poly1305_ietf_decrypt(buffer.baseAddress, &length, nil, sealed, UInt64(sealed.count), aad, UInt64(aad.count), nonce, key)
            }
        }
        return status == 0 ? Array(out.prefix(Int(length))) : nil
    }

    /// An RTP packet as a Discord client builds it: header (+ CSRCs, + extension preamble) in
    /// clear, extension body and Opus sealed together.
    static func rtpPacket(
        sequence: UInt16, timestamp: UInt32, ssrc: UInt32, csrcs: [UInt32] = [], extensionBody: [UInt8]? = nil,
        opus: [UInt8], counter: UInt32, mode: String, key: [UInt8]
    ) -> [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        var header: [UInt8] = [0x80 | (extensionBody == nil ? 0 : 0x10) | UInt8(csrcs.count), 0x78, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        header += be32(timestamp) + be32(ssrc)
        for csrc in csrcs { header += be32(csrc) }
        if let body = extensionBody { header += [0xBE, 0xDE, 0x00, UInt8(body.count / 4)] }
        return seal(aad: header, plaintext: (extensionBody ?? []) + opus, counter: counter, mode: mode, key: key)
    }

    struct ParsedRTP {
        var sequence: UInt16
        var timestamp: UInt32
        var ssrc: UInt32
        var csrcCount: Int
        var hasExtension: Bool
        var opus: [UInt8]
    }

    /// Opens a received packet and strips the (decrypted) extension body.
    static func parse(_ packet: [UInt8], mode: String, key: [UInt8]) -> ParsedRTP? {
        guard packet.count >= 12, packet[0] >> 6 == 2 else { return nil }
        func u32(_ at: Int) -> UInt32 { packet[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        let csrcCount = Int(packet[0] & 0x0F)
        let hasExtension = packet[0] & 0x10 != 0
        let aadLength = 12 + 4 * csrcCount + (hasExtension ? 4 : 0)
        guard packet.count > aadLength, let plaintext = open(packet, aadLength: aadLength, mode: mode, key: key) else { return nil }
        let extensionBody = hasExtension ? 4 * (Int(packet[aadLength - 2]) << 8 | Int(packet[aadLength - 1])) : 0
        guard plaintext.count >= extensionBody else { return nil }
        return ParsedRTP(
            sequence: UInt16(packet[2]) << 8 | UInt16(packet[3]), timestamp: u32(4), ssrc: u32(8), csrcCount: csrcCount,
            hasExtension: hasExtension, opus: Array(plaintext.dropFirst(extensionBody)))
    }

    /// 20 ms Opus frames of 48 kHz interleaved stereo.
    static func encode(_ pcm: [Int16]) -> [[UInt8]] {
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(48_000, 2, OPUS_APPLICATION_AUDIO, &error) else { return [] }
        defer { opus_encoder_destroy(encoder) }
        var frames: [[UInt8]] = []
        var start = 0
        while start + 1920 <= pcm.count {
            let frame = Array(pcm[start..<start + 1920])
            var packet = [UInt8](repeating: 0, count: 4000)
            let length = packet.withUnsafeMutableBufferPointer { out in
                frame.withUnsafeBufferPointer { input in
                    guard let samples = input.baseAddress, let bytes = out.baseAddress else { return Int32(-1) }
                    return opus_encode(encoder, samples, 960, bytes, 4000)
                }
            }
            if length > 0 { frames.append(Array(packet.prefix(Int(length)))) }
            start += 1920
        }
        return frames
    }

    static func decode(_ frames: [[UInt8]]) -> [Int16] {
        var error: Int32 = 0
        guard let decoder = opus_decoder_create(48_000, 2, &error) else { return [] }
        defer { opus_decoder_destroy(decoder) }
        var pcm: [Int16] = []
        for frame in frames {
            var out = [Int16](repeating: 0, count: 5760 * 2)
            let samples = out.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return Int32(-1) }
                return opus_decode(decoder, frame, Int32(frame.count), base, 5760, 0)
            }
            if samples > 0 { pcm += out.prefix(Int(samples) * 2) }
        }
        return pcm
    }

    static func ipDiscoveryRequest(ssrc: UInt32) -> [UInt8] {
        [0x00, 0x01, 0x00, 70, UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
            + [UInt8](repeating: 0, count: 66)
    }
}

/// A bot that identified on the main gateway (GUILDS | GUILD_VOICE_STATES) and sent op 4.
struct JoinedVoice {
    let gateway: GatewayTestClient
    let voiceState: [String: Any]
    let serverUpdate: [String: Any]
    var sessionID: String { voiceState["session_id"] as? String ?? "" }
    var token: String { serverUpdate["token"] as? String ?? "" }
    var endpoint: String { serverUpdate["endpoint"] as? String ?? "" }

    static func join(_ emulator: DiscordEmulator, channelID: UInt64 = 2002) async throws -> JoinedVoice {
        let gateway = try await GatewayTestClient.connect(emulator.gatewayURL)
        try #require(try await gateway.identify(intents: 1 | 1 << 7) != nil)
        try await gateway.send(opFour(channelID: channelID))
        let state = try #require(await gateway.next(event: "VOICE_STATE_UPDATE")?["d"] as? [String: Any])
        let server = try #require(await gateway.next(event: "VOICE_SERVER_UPDATE")?["d"] as? [String: Any])
        return JoinedVoice(gateway: gateway, voiceState: state, serverUpdate: server)
    }

    static func opFour(guildID: UInt64 = 2000, channelID: UInt64?) -> String {
        let channel = channelID.map { "\"\($0)\"" } ?? "null"
        return #"{"op":4,"d":{"guild_id":"\#(guildID)","channel_id":\#(channel),"self_mute":false,"self_deaf":false}}"#
    }

    /// A voice gateway connection to `ws://{endpoint}?v=8`, as Discord clients make it.
    func connectVoice(endpoint: String? = nil) async throws -> GatewayTestClient {
        try await GatewayTestClient.connect("ws://\(endpoint ?? self.endpoint)/", query: "v=8")
    }

    func identifyPayload(token: String? = nil, sessionID: String? = nil, dave: Int = 0) -> String {
        #"{"op":0,"d":{"server_id":"2000","user_id":"1001","session_id":"\#(sessionID ?? self.sessionID)","token":"\#(token ?? self.token)","max_dave_protocol_version":\#(dave)}}"#
    }

    /// Connects, identifies and returns the connection with Ready's `d`.
    func identifiedVoice() async throws -> (client: GatewayTestClient, ready: [String: Any]) {
        let client = try await connectVoice()
        try await client.send(identifyPayload())
        let ready = try #require(await client.next(op: 2)?["d"] as? [String: Any])
        return (client, ready)
    }

    static func selectProtocol(port: Int, mode: String) -> String {
        #"{"op":1,"d":{"protocol":"udp","data":{"address":"127.0.0.1","port":\#(port),"mode":"\#(mode)"}}}"#
    }
}

/// Session Description's key as bytes.
func secretKey(of sessionDescription: [String: Any]?) -> [UInt8] {
    ((sessionDescription?["d"] as? [String: Any])?["secret_key"] as? [Int] ?? []).map { UInt8(clamping: $0) }
}

/// The status line of a plain HTTP GET to 127.0.0.1:`port` (e.g. "HTTP/1.1 400 Bad Request").
func plainHTTPStatusLine(port: Int, uri: String) async throws -> String? {
    final class Reader: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex<[UInt8]>([])
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            received.withLock { $0 += bytes }
        }
    }
    let reader = Reader()
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reader) }
        }
        .connect(host: "127.0.0.1", port: port).get()
    let request = "GET \(uri) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
    try await channel.writeAndFlush(ByteBuffer(string: request)).get()
    try? await channel.closeFuture.get()
    let text = String(decoding: reader.received.withLock { $0 }, as: UTF8.self)
    return text.split(separator: "\r\n").first.map(String.init)
}
