import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP server on loopback for plugin HTTP tests. Routes:
///   /ok      200, header X-Probe: yes, body "hello"
///   /missing 404, body "nope"
///   /slow    200 "late", held until the test calls `releaseSlow()` (a timeout test never does),
///            at once after that
final class TestHTTPServer: Sendable {
    private let channel: any Channel
    private let log: RequestLog
    let port: Int

    init() async throws {
        let log = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                log.keep(channel)
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        self.log = log
        self.port = channel.localAddress?.port ?? 0
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Requests received for a path so far.
    func received(_ path: String) -> Int { log.state.withLock { $0.received[path] ?? 0 } }

    /// Responses to a path whose writing has ended (sent, or failed on a connection the client closed).
    func finished(_ path: String) -> Int { log.state.withLock { $0.finished[path] ?? 0 } }

    /// Answers every /slow request held so far.
    func releaseSlow() {
        for answer in log.state.withLock({ $0.held.take() }) ?? [] { answer() }
    }

    func close() async {
        releaseSlow()
        try? await channel.close()
        for connection in log.state.withLock({ Array($0.connections.values) }) {
            try? await connection.close()
        }
    }

    private final class RequestLog: Sendable {
        struct State {
            var received: [String: Int] = [:]
            var finished: [String: Int] = [:]
            var held: [@Sendable () -> Void]? = []
            /// The accepted connections, closed with the server: a kept-alive one would otherwise
            /// go on answering a client that pools it after `close()`.
            var connections: [ObjectIdentifier: any Channel] = [:]
        }
        let state = Mutex(State())

        func keep(_ channel: any Channel) {
            let key = ObjectIdentifier(channel)
            state.withLock { $0.connections[key] = channel }
            channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.connections.removeValue(forKey: key) } }
        }
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private let log: RequestLog

        init(log: RequestLog) { self.log = log }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else { return }
            let path = head.uri
            let (status, body): (HTTPResponseStatus, String) = switch path {
            case "/ok": (.ok, head.headers["X-Asked-By"].first == "probe" ? "hello" : "no header")
            case "/slow": (.ok, "late")
            default: (.notFound, "nope")
            }
            let headers = HTTPHeaders([("Content-Length", "\(body.utf8.count)"), ("X-Probe", "yes"), ("Connection", "close")])
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let log = self.log
            let answer: @Sendable () -> Void = {
                let context = loopBound.value
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                    log.state.withLock { $0.finished[path, default: 0] += 1 }
                    context.close(promise: nil)
                }
            }
            // Answered from the event loop's next turn, as before: not from inside this read, which
            // has not yet seen the end of the request.
            let eventLoop = context.eventLoop
            let hold = log.state.withLock { s -> Bool in
                s.received[path, default: 0] += 1
                guard path == "/slow", s.held != nil else { return false }
                s.held?.append { eventLoop.execute(answer) }
                return true
            }
            if !hold { eventLoop.execute(answer) }
        }
    }
}
