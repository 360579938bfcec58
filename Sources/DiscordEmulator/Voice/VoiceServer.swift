import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The voice server's two listeners on 127.0.0.1: the voice gateway (WebSocket at
/// `ws://127.0.0.1:PORT/?v=8`, the endpoint VOICE_SERVER_UPDATE hands out) and the UDP port
/// Ready names for IP discovery and media. Both take ephemeral ports.
final class VoiceServer: Sendable {
    private let hub: VoiceHub
    private let tcpListener = Locked<(any Channel)?>(nil)
    private let children = Locked<[ObjectIdentifier: any Channel]>([:])

    init(hub: VoiceHub) { self.hub = hub }

    func start() async throws {
        let hub = hub
        let children = children
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                children.withLock { $0[key] = channel }
                channel.closeFuture.whenComplete { _ in _ = children.withLock { $0.removeValue(forKey: key) } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [Self.upgrader(hub: hub)], completionHandler: { context in
                            context.pipeline.removeHandler(name: "refusal", promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(VoiceHTTPRefusalHandler(), name: "refusal")
                }
            }
        let tcp = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        tcpListener.withLock { $0 = tcp }
        let udp = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(VoiceUDPHandler(hub: hub)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        hub.listeners.withLock { listeners in
            listeners.webSocketPort = tcp.localAddress?.port ?? 0
            listeners.udpPort = udp.localAddress?.port ?? 0
            listeners.udpChannel = udp
        }
    }

    func shutdown() async {
        let tcp = tcpListener.withLock { listener -> (any Channel)? in
            defer { listener = nil }
            return listener
        }
        let udp = hub.listeners.withLock { listeners -> (any Channel)? in
            defer { listeners.udpChannel = nil }
            return listeners.udpChannel
        }
        try? await tcp?.close()
        try? await udp?.close()
        hub.closeAll()
        for child in children.withLock({ Array($0.values) }) {
            try? await child.close()
        }
    }

    /// Upgrades `/?v=8` (the endpoint with Discord's query); other requests get a 400 from the
    /// refusal handler.
    private static func upgrader(hub: VoiceHub) -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                let accepted = isVoiceGatewayRequest(uri: head.uri)
                return channel.eventLoop.makeSucceededFuture(accepted ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 256, maxAccumulatedFrameSize: 1 << 20))
                    try channel.pipeline.syncOperations.addHandler(VoiceChannelHandler(hub: hub))
                }
            })
    }

    /// The root path with `v=8` in the query: what `ws://{endpoint}?v=8` requests.
    static func isVoiceGatewayRequest(uri: String) -> Bool {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let path = parts.first, path == "/" || path.isEmpty, parts.count == 2 else { return false }
        return parts[1].split(separator: "&").contains { $0 == "v=8" }
    }
}
