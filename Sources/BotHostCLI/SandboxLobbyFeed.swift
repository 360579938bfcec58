import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `SandboxLobbySimulation` as an OpenRA master server on a fixed loopback port, the one
/// the root plugins.json's "gamesessions" source points at:
/// `http://127.0.0.1:47681/games?protocol=2&type=json`. Any path answers with the game list.
final class SandboxLobbyFeed: Sendable {
    static let port = 47_681

    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Starts serving; nil (with a note) when the port is taken, the sandbox then runs without it.
    static func start() async -> SandboxLobbyFeed? {
        let simulation = SandboxLobbySimulation()
        let started = ContinuousClock.now
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(Handler(simulation: simulation, started: started))
                    }
                }
                .bind(host: "127.0.0.1", port: port).get()
            return SandboxLobbyFeed(channel: channel)
        } catch {
            say("The simulated game lobby feed could not listen on 127.0.0.1:\(port) (\(error)); GameSessions will report failed polls.")
            return nil
        }
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let simulation: SandboxLobbySimulation
        let started: ContinuousClock.Instant

        init(simulation: SandboxLobbySimulation, started: ContinuousClock.Instant) {
            self.simulation = simulation
            self.started = started
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else { return }
            let seconds = Int((ContinuousClock.now - started).components.seconds)
            let body = simulation.gamesJSON(atSecond: seconds)
            let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.count)"), ("Connection", "close")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }
}
