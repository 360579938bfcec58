import NIOCore
import NIOPosix

/// The voice server's two listeners on 127.0.0.1: the voice gateway (WebSocket at
/// `ws://127.0.0.1:PORT/?v=8`, the endpoint VOICE_SERVER_UPDATE hands out) and the UDP port
/// Ready names for IP discovery and media. Both take ephemeral ports.
final class VoiceServer: Sendable {
    private let hub: VoiceHub
    private let listener = LoopbackListener()

    init(hub: VoiceHub) { self.hub = hub }

    func start() async throws {
        let hub = hub
        // Upgrades `/?v=8` (the endpoint with Discord's query); other requests get a 400 from the
        // refusal handler.
        let webSocketPort = try await listener.start(port: 0) { channel in
            try LoopbackListener.configureWebSocket(channel, fallback: VoiceHTTPRefusalHandler()) { head in
                guard Self.isVoiceGatewayRequest(uri: head.uri) else { return nil }
                return WebSocketChannelHandler(hub: hub) { link in hub.open(link) }
            }
        }
        let udp = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(VoiceUDPHandler(hub: hub)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        hub.listeners.withLock { listeners in
            listeners.webSocketPort = webSocketPort
            listeners.udpPort = udp.localAddress?.port ?? 0
            listeners.udpChannel = udp
        }
    }

    func shutdown() async {
        await listener.stopListening()
        let udp = hub.listeners.withLock { listeners -> (any Channel)? in
            defer { listeners.udpChannel = nil }
            return listeners.udpChannel
        }
        try? await udp?.close()
        hub.closeAll()
        await listener.closeConnections()
    }

    /// The root path with `v=8` in the query: what `ws://{endpoint}?v=8` requests.
    static func isVoiceGatewayRequest(uri: String) -> Bool {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let path = parts.first, path == "/" || path.isEmpty, parts.count == 2 else { return false }
        return parts[1].split(separator: "&").contains { $0 == "v=8" }
    }
}
