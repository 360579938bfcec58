import NIOCore
import NIOHTTP1

/// Reads whole HTTP requests and answers them through the REST service (on the gateway host,
/// which has none, with 404). Handling is synchronous: every route is an in-memory operation.
final class RESTChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Bodies larger than Discord's own upload limit are refused outright.
    static let maxBodyBytes = 25 * 1024 * 1024

    private let service: RESTService?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(service: RESTService?) { self.service = service }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > Self.maxBodyBytes { tooLarge = true } else { body.append(contentsOf: buffer.readableBytesView) }
        case .end:
            guard let head else { return }
            self.head = nil
            let response: RESTResponse
            if tooLarge {
                response = .error(status: 413, code: 40005, message: "Request entity too large")
            } else if let gateway = GatewayRequest(uri: head.uri), case .refuse(let reason) = gateway.verdict {
                response = .error(status: 400, code: 0, message: reason)
            } else if let service {
                response = service.handle(RESTRequest(
                    method: head.method.rawValue, target: head.uri,
                    headers: head.headers.map { ($0.name, $0.value) }, body: body))
            } else {
                response = .error(status: 404, code: 0, message: "404: Not Found (the gateway host serves only /gateway)")
            }
            write(response, for: head, context: context)
            body = []
        }
    }

    private func write(_ response: RESTResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: request.isKeepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let keepAlive = request.isKeepAlive
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
