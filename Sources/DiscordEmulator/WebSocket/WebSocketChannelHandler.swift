import NIOCore
import NIOWebSocket

/// Bridges one upgraded WebSocket channel to its hub: frames in, lifecycle events, pongs.
/// Everything else the server sends is written by the hub, through the connection's link.
final class WebSocketChannelHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let hub: any WebSocketHub
    /// Registers the connection with the hub (which greets it) and returns its id.
    private let open: (WebSocketLink) -> Int
    private var connectionID: Int?

    init(hub: any WebSocketHub, open: @escaping (WebSocketLink) -> Int) {
        self.hub = hub
        self.open = open
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connectionID = open(WebSocketLink(channel: context.channel))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let connectionID else { return }
        switch frame.opcode {
        case .text, .binary:
            hub.receive(connectionID: connectionID, bytes: Array(frame.unmaskedData.readableBytesView), binary: frame.opcode == .binary)
        case .connectionClose:
            var payload = frame.unmaskedData
            hub.peerClosed(connectionID: connectionID, code: payload.readInteger(as: UInt16.self))
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connectionID { hub.disconnected(connectionID: connectionID) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
