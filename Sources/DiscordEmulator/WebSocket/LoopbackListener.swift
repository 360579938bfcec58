import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// One listening TCP socket on 127.0.0.1 that keeps the connections it accepted, so that shutting
/// down closes them too: an upgraded WebSocket would otherwise outlive its listener.
final class LoopbackListener: Sendable {
    private let listener = Locked<(any Channel)?>(nil)
    private let children = Locked<[ObjectIdentifier: any Channel]>([:])

    /// Binds (`port` 0: an ephemeral one) and returns the port; `configure` sets up the pipeline of
    /// each connection accepted.
    func start(port: Int, configure: @escaping @Sendable (any Channel) throws -> Void) async throws -> Int {
        let children = children
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                children.withLock { $0[key] = channel }
                channel.closeFuture.whenComplete { _ in _ = children.withLock { $0.removeValue(forKey: key) } }
                return channel.eventLoop.makeCompletedFuture { try configure(channel) }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        listener.withLock { $0 = channel }
        return channel.localAddress?.port ?? port
    }

    /// Stops accepting; the connections already accepted stay up.
    func stopListening() async {
        let channel = listener.withLock { listener -> (any Channel)? in
            defer { listener = nil }
            return listener
        }
        try? await channel?.close()
    }

    /// Closes every connection still up.
    func closeConnections() async {
        for child in children.withLock({ Array($0.values) }) {
            try? await child.close()
        }
    }

    /// The pipeline of a connection to a WebSocket endpoint: HTTP/1.1 that upgrades when
    /// `handler` gives a handler for the request (a frame of at most 1 MiB, fragments reassembled),
    /// and is otherwise answered by `fallback`, which the upgrade removes.
    static func configureWebSocket(
        _ channel: any Channel, fallback: any RemovableChannelHandler,
        handler: @escaping @Sendable (HTTPRequestHead) -> WebSocketChannelHandler?
    ) throws {
        let upgrader = NIOWebSocketServerUpgrader(
            // Larger than Discord's 4096-byte gateway payload limit, so an oversize payload gets the
            // gateway's close code rather than a WebSocket protocol error.
            maxFrameSize: 1 << 20,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                // A refused upgrade falls through to `fallback`, which explains the refusal.
                channel.eventLoop.makeSucceededFuture(handler(head) == nil ? nil : HTTPHeaders())
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    guard let handler = handler(head) else { return }
                    try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 256, maxAccumulatedFrameSize: 1 << 20))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            })
        let fallbackName = "fallback"
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                context.pipeline.removeHandler(name: fallbackName, promise: nil)
            }))
        try channel.pipeline.syncOperations.addHandler(fallback, name: fallbackName)
    }
}
