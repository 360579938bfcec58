import NIOCore

/// Hands each datagram on the voice UDP port to the hub and sends back its reply (IP discovery).
final class VoiceUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let hub: VoiceHub

    init(hub: VoiceHub) { self.hub = hub }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        guard let reply = hub.receiveDatagram(bytes, from: envelope.remoteAddress) else { return }
        let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: reply))
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    /// A datagram to a port nobody listens on comes back as ECONNREFUSED on Linux; that must
    /// not close the voice port.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
