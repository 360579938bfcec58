import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// One listening socket on 127.0.0.1: the API host (REST) or the gateway host (WebSocket
/// upgrades of `/gateway`). They are separate, as discord.com and gateway.discord.gg are: an HTTP
/// client that pools connections would otherwise ask for the upgrade on a kept-alive REST
/// connection, and an HTTP/1.1 server here only upgrades a connection's first request.
final class EmulatorServer: Sendable {
    enum Role: Sendable {
        case api(RESTService)
        case gateway(GatewayHub)
    }

    private let role: Role
    private let listener = Locked<(any Channel)?>(nil)
    private let children = Locked<[ObjectIdentifier: any Channel]>([:])

    init(_ role: Role) {
        self.role = role
    }

    /// Binds and returns the port (ephemeral when `port` is 0).
    func start(port: Int) async throws -> Int {
        let role = role
        let children = children
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                children.withLock { $0[key] = channel }
                channel.closeFuture.whenComplete { _ in _ = children.withLock { $0.removeValue(forKey: key) } }
                return channel.eventLoop.makeCompletedFuture {
                    switch role {
                    case .api(let service):
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(RESTChannelHandler(service: service))
                    case .gateway(let hub):
                        let upgrader = Self.gatewayUpgrader(hub: hub)
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                                context.pipeline.removeHandler(name: "http", promise: nil)
                            }))
                        // What is not upgraded is answered here: refusals explained, anything else 404.
                        try channel.pipeline.syncOperations.addHandler(RESTChannelHandler(service: nil), name: "http")
                    }
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        listener.withLock { $0 = channel }
        return channel.localAddress?.port ?? port
    }

    func shutdown() async {
        let channel = listener.withLock { listener -> (any Channel)? in
            defer { listener = nil }
            return listener
        }
        try? await channel?.close()
        if case .gateway(let hub) = role { hub.closeAll() }
        for child in children.withLock({ Array($0.values) }) {
            try? await child.close()
        }
    }

    private static func gatewayUpgrader(hub: GatewayHub) -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            // Larger than Discord's 4096-byte payload limit so oversize payloads get 4002, not a protocol error.
            maxFrameSize: 1 << 20,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                // Refused upgrades fall through to the REST handler, which explains the refusal.
                guard let request = GatewayRequest(uri: head.uri) else { return channel.eventLoop.makeSucceededFuture(nil) }
                if case .refuse = request.verdict { return channel.eventLoop.makeSucceededFuture(nil) }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    guard let request = GatewayRequest(uri: head.uri) else { return }
                    try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 256, maxAccumulatedFrameSize: 1 << 20))
                    try channel.pipeline.syncOperations.addHandler(GatewayChannelHandler(hub: hub, request: request))
                }
            })
    }
}
