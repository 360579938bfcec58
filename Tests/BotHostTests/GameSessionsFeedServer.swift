import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A game-server feed on loopback whose answers the test changes between polls: JSON with any
/// status, or no answer at all (for timeouts). Counts the requests per path.
final class GameSessionsFeedServer: Sendable {
    enum Reply: Sendable {
        /// `body` with `status` and `Content-Type: application/json`.
        case body(String, status: Int = 200)
        /// Answers only after `seconds` (longer than the plugin's timeout).
        case stall(seconds: Int64)
    }

    private let channel: any Channel
    private let state: State
    let port: Int

    final class State: Sendable {
        let replies = Mutex<[String: Reply]>([:])
        let hits = Mutex<[String: Int]>([:])
    }

    init() async throws {
        let state = State()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.channel = channel
        self.state = state
        port = channel.localAddress?.port ?? 0
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func serve(_ path: String, _ reply: Reply) {
        state.replies.withLock { $0[path] = reply }
    }

    /// Serves `json` (200) at `path`.
    func serve(_ path: String, json: String) {
        serve(path, .body(json))
    }

    func hits(_ path: String) -> Int { state.hits.withLock { $0[path] ?? 0 } }

    func close() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: State

        init(state: State) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else { return }
            let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
            state.hits.withLock { $0[path, default: 0] += 1 }
            let reply = state.replies.withLock { $0[path] } ?? .body(#"{"error": "no such feed"}"#, status: 404)
            let (status, body, delay): (Int, String, Int64) = switch reply {
            case .body(let text, let status): (status, text, 0)
            case .stall(let seconds): (200, "[]", seconds * 1000)
            }
            let headers = HTTPHeaders([("Content-Length", "\(body.utf8.count)"), ("Content-Type", "application/json"),
                                       ("Connection", "close")])
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(delay)) {
                let context = loopBound.value
                let head = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
            }
        }
    }
}
