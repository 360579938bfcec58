import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP server on loopback for plugin HTTP tests. Routes:
///   /ok      200, header X-Probe: yes, body "hello"
///   /missing 404, body "nope"
///   /slow    answers after 3 s
final class TestHTTPServer: Sendable {
    private let channel: any Channel
    let port: Int

    init() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func close() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else { return }
            let (status, body, delay): (HTTPResponseStatus, String, Int64) = switch head.uri {
            case "/ok": (.ok, head.headers["X-Asked-By"].first == "probe" ? "hello" : "no header", 0)
            case "/slow": (.ok, "late", 3000)
            default: (.notFound, "nope", 0)
            }
            var headers = HTTPHeaders([("Content-Length", "\(body.utf8.count)"), ("X-Probe", "yes")])
            headers.add(name: "Connection", value: "close")
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(delay)) {
                let context = loopBound.value
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
