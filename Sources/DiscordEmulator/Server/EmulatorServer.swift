import NIOCore
import NIOHTTP1

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
    private let listener = LoopbackListener()

    init(_ role: Role) {
        self.role = role
    }

    /// Binds and returns the port (ephemeral when `port` is 0).
    func start(port: Int) async throws -> Int {
        let role = role
        return try await listener.start(port: port) { channel in
            switch role {
            case .api(let service):
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(RESTChannelHandler(service: service))
            case .gateway(let hub):
                // What is not upgraded is answered as REST would: refusals explained, anything else 404.
                try LoopbackListener.configureWebSocket(channel, fallback: RESTChannelHandler(service: nil)) { head in
                    Self.gatewayHandler(hub: hub, uri: head.uri)
                }
            }
        }
    }

    func shutdown() async {
        await listener.stopListening()
        if case .gateway(let hub) = role { hub.closeAll() }
        await listener.closeConnections()
    }

    /// The handler of an upgraded gateway connection; nil refuses the upgrade (not the gateway's
    /// path, or an encoding or compression it does not speak).
    private static func gatewayHandler(hub: GatewayHub, uri: String) -> WebSocketChannelHandler? {
        guard let request = GatewayRequest(uri: uri) else { return nil }
        if case .refuse = request.verdict { return nil }
        return WebSocketChannelHandler(hub: hub) { link in hub.open(link, request: request) }
    }
}
