import BotHostCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// One WebSocket to a Discord gateway (the main one or a voice one): a NIO channel upgraded from
/// HTTP/1.1, whose inbound side is read as an async sequence of frames (fragments already joined).
package typealias WebSocketChannel = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

package enum WebSocketClient {
    /// Refuses endpoints this build cannot reach, before any shard tries (and retries) them. Both
    /// ws:// and wss:// (TLS with the system's trust roots) are supported.
    package static func checkSupported(_ endpoint: WebSocketEndpoint) throws(GatewayError) {}

    /// One TLS context for every wss:// connection (loading the trust roots is not free).
    private static let tlsContext: Result<NIOSSLContext, any Error> = Result {
        try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    /// Frames read ahead of the reader (a gateway shard): a burst of dispatches is handed over in runs rather than a
    /// few at a time (NIO's default keeps 2 to 10), each run costing one hop between the event loop
    /// and the shard's task. Frames are compressed and small; the bound still stops reading from a
    /// socket whose shard falls behind.
    private static let inboundBuffering = WebSocketChannel.Configuration(
        backPressureStrategy: .init(lowWatermark: 32, highWatermark: 256))

    private enum Upgrade: Sendable {
        case websocket(WebSocketChannel)
        case refused
    }

    /// Connects and performs the WebSocket upgrade; the whole handshake is bounded by `timeout`.
    package static func connect(to endpoint: WebSocketEndpoint, group: any EventLoopGroup, timeout: Duration,
                        maxMessageBytes: Int) async throws -> WebSocketChannel {
        try checkSupported(endpoint)
        let timeLimit = TimeAmount.nanoseconds(Int64(clamping: SchedulerTime.nanoseconds(timeout)))
        let maxFrame = min(maxMessageBytes, Int(UInt32.max))
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .connectTimeout(timeLimit)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if endpoint.secure {
                        let tls = try NIOSSLClientHandler(context: tlsContext.get(), serverHostname: endpoint.host)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                        maxFrameSize: maxFrame,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16,
                                    maxAccumulatedFrameSize: maxMessageBytes))
                                return .websocket(try WebSocketChannel(wrappingChannelSynchronously: channel, configuration: inboundBuffering))
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: endpoint.hostHeader)
                    headers.add(name: "User-Agent", value: "BotHost/\(HostVersion.current)")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.requestURI, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.close(promise: nil)
                            return channel.eventLoop.makeSucceededFuture(.refused)
                        })
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    // The server says Hello right after the 101: those bytes may share a read with
                    // the response and must reach the WebSocket decoder, not be dropped.
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: pipeline)
                    // A server that accepts TCP but never answers the upgrade must not hang the shard.
                    let deadline = channel.eventLoop.scheduleTask(in: timeLimit) { channel.close(promise: nil) }
                    negotiated.whenComplete { _ in deadline.cancel() }
                    return negotiated
                }
            }
        switch try await upgrade.get() {
        case .websocket(let channel): return channel
        case .refused: throw WebSocketClientError.upgradeRefused(endpoint.description)
        }
    }

    /// Writes one text (or binary) frame (client frames are masked) and waits until it is on the wire.
    package static func send(_ payload: [UInt8], on channel: any Channel, binary: Bool = false) async throws {
        let frame = WebSocketFrame(fin: true, opcode: binary ? .binary : .text, maskKey: .random(), data: ByteBuffer(bytes: payload))
        try await channel.writeAndFlush(frame).get()
    }

    /// Sends a close frame with `code`, then closes the TCP connection.
    package static func close(_ channel: any Channel, code: UInt16) async {
        var data = channel.allocator.buffer(capacity: 2)
        data.writeInteger(code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        try? await channel.writeAndFlush(frame).get()
        try? await channel.close().get()
    }

    package static func pong(_ payload: ByteBuffer, on channel: any Channel) {
        let frame = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: payload)
        channel.writeAndFlush(frame, promise: nil)
    }
}

package enum WebSocketClientError: Error, CustomStringConvertible {
    case upgradeRefused(String)
    package var description: String {
        switch self {
        case .upgradeRefused(let url): "\(url) did not accept the WebSocket upgrade"
        }
    }
}
