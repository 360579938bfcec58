import NIOCore
import NIOWebSocket

/// Bridges one upgraded WebSocket channel to the hub: frames in, lifecycle events. Everything
/// the gateway sends is written by the hub.
final class GatewayChannelHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let hub: GatewayHub
    private let request: GatewayRequest
    private var connectionID: Int?

    init(hub: GatewayHub, request: GatewayRequest) {
        self.hub = hub
        self.request = request
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let id = hub.open(channel: context.channel, compress: request.compress, viaResumeURL: request.viaResumeURL)
        connectionID = id
        if request.verdict == .acceptThenCloseInvalidVersion {
            hub.closeConnection(id, code: GatewayClose.invalidAPIVersion)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let connectionID else { return }
        switch frame.opcode {
        case .text, .binary:
            hub.receive(connectionID: connectionID, bytes: Array(frame.unmaskedData.readableBytesView))
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
