import NIOCore
import NIOWebSocket

/// Bridges one upgraded voice WebSocket to the voice hub: frames in, lifecycle events. Everything
/// the voice gateway sends is written by the hub.
final class VoiceChannelHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let hub: VoiceHub
    private var connectionID: Int?

    init(hub: VoiceHub) { self.hub = hub }

    func handlerAdded(context: ChannelHandlerContext) {
        connectionID = hub.open(channel: context.channel)
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
