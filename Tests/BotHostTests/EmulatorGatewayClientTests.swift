import CZlib
import DiscordEmulator
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization
import Testing

/// A minimal gateway client for the emulator tests: a real WebSocket over loopback that records
/// every payload (inflating zlib-stream frames) and the close code, and sends raw JSON.
final class GatewayTestClient: Sendable {
    enum Event: Sendable {
        case payload(String)
        case close(UInt16?)
        /// The TCP connection ended.
        case disconnected
    }

    private let channel: any Channel
    private let box: Inbox
    /// The raw binary frames as received (zlib-stream only).
    var binaryFrames: [[UInt8]] { box.state.withLock { $0.binaryFrames } }
    var events: [Event] { box.state.withLock { $0.events } }

    final class Inbox: Sendable {
        struct State {
            var events: [Event] = []
            var binaryFrames: [[UInt8]] = []
            var cursor = 0
        }

        let state = Mutex(State())
    }

    private init(channel: any Channel, box: Inbox) {
        self.channel = channel
        self.box = box
    }

    /// Connects to `url` (e.g. the emulator's gatewayURL) with `?v=10&encoding=json` added.
    static func connect(_ url: String, compress: Bool = false, query: String? = nil) async throws -> GatewayTestClient {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw URLError(.badURL)
        }
        let uri = components.path + "?" + (query ?? ("v=10&encoding=json" + (compress ? "&compress=zlib-stream" : "")))
        let box = Inbox()
        let upgraded = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 24, automaticErrorHandling: false) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(FrameCollector(box: box, compressed: compress))
                        upgraded.succeed()
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .connect(host: host, port: port).get()
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        try await upgraded.futureResult.get()
        return GatewayTestClient(channel: channel, box: box)
    }

    func send(_ json: String) async throws {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: json))
        try await channel.writeAndFlush(frame).get()
    }

    func sendClose(code: UInt16) async throws {
        var data = ByteBuffer()
        data.writeInteger(code)
        try await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)).get()
    }

    func disconnect() async {
        try? await channel.close()
    }

    /// The next payload not yet taken that satisfies `match`, as a JSON object; earlier
    /// non-matching payloads are skipped. nil on timeout or when the connection closed first.
    func next(timeout: Duration = .seconds(10), where match: @escaping @Sendable ([String: Any]) -> Bool = { _ in true }) async -> [String: Any]? {
        let found: String?? = await eventuallyValue(timeout: timeout) { () -> String?? in
            box.state.withLock { state -> String?? in
                while state.cursor < state.events.count {
                    let event = state.events[state.cursor]
                    state.cursor += 1
                    switch event {
                    case .payload(let text):
                        guard let object = Self.object(text) else { continue }
                        if match(object) { return .some(text) }
                    case .close, .disconnected:
                        return .some(nil)
                    }
                }
                return nil
            }
        }
        return found.flatMap { $0.flatMap(Self.object) }
    }

    func next(op: Int, timeout: Duration = .seconds(10)) async -> [String: Any]? {
        await next(timeout: timeout) { ($0["op"] as? Int) == op }
    }

    func next(event: String, timeout: Duration = .seconds(10)) async -> [String: Any]? {
        await next(timeout: timeout) { ($0["t"] as? String) == event }
    }

    /// The close code the server sent, waiting for it.
    func closeCode(timeout: Duration = .seconds(10)) async -> UInt16? {
        await eventuallyValue(timeout: timeout) { () -> UInt16? in
            box.state.withLock { state -> UInt16? in
                for event in state.events { if case .close(let code) = event { return code } }
                return nil
            }
        }
    }

    /// Whether the TCP connection ended, waiting for it.
    func disconnected(timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout) {
            box.state.withLock { $0.events.contains { if case .disconnected = $0 { true } else { false } } }
        }
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// Identify with the sandbox token; returns READY's `d`.
    @discardableResult
    func identify(token: String = "sandbox-token", intents: Int = 513, shard: (Int, Int)? = nil) async throws -> [String: Any]? {
        let shardJSON = shard.map { ",\"shard\":[\($0.0),\($0.1)]" } ?? ""
        try await send(#"{"op":2,"d":{"token":"\#(token)","intents":\#(intents),"properties":{"os":"linux","browser":"test","device":"test"}\#(shardJSON)}}"#)
        return await next(event: "READY")?["d"] as? [String: Any]
    }

    private final class FrameCollector: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        let box: Inbox
        let inflater: ZlibInflater?
        var pending: [UInt8] = []

        init(box: Inbox, compressed: Bool) {
            self.box = box
            inflater = compressed ? ZlibInflater() : nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            let bytes = Array(frame.unmaskedData.readableBytesView)
            switch frame.opcode {
            case .text:
                box.state.withLock { $0.events.append(.payload(String(decoding: bytes, as: UTF8.self))) }
            case .binary:
                box.state.withLock { $0.binaryFrames.append(bytes) }
                pending += bytes
                // A zlib-stream message is complete when the buffer ends with the sync-flush marker.
                guard pending.suffix(4) == [0x00, 0x00, 0xFF, 0xFF], let inflater else { return }
                let text = String(decoding: inflater.inflate(pending), as: UTF8.self)
                pending = []
                box.state.withLock { $0.events.append(.payload(text)) }
            case .connectionClose:
                var payload = frame.unmaskedData
                let code = payload.readInteger(as: UInt16.self)
                box.state.withLock { $0.events.append(.close(code)) }
                var reply = ByteBuffer()
                if let code { reply.writeInteger(code) }
                let echo = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: reply)
                context.writeAndFlush(NIOAny(echo)).whenComplete { _ in context.close(promise: nil) }
            default:
                break
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            box.state.withLock { $0.events.append(.disconnected) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}

/// The client half of zlib-stream: one inflate context for the whole connection.
final class ZlibInflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func inflate(_ input: [UInt8]) -> [UInt8] {
        var input = input
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = UInt32(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    _ = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    return target.count - Int(stream.pointee.avail_out)
                }
                output += chunk[0..<produced]
            } while stream.pointee.avail_out == 0
        }
        return output
    }
}

/// An emulator on an ephemeral port for one test.
func startedEmulator(_ configure: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> DiscordEmulator {
    var configuration = EmulatorConfiguration()
    configure(&configuration)
    let emulator = DiscordEmulator(configuration)
    try await emulator.start()
    return emulator
}
