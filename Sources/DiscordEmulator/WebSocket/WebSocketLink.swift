import NIOCore
import NIOWebSocket

/// The wire side of one WebSocket connection a hub serves (the gateway's or the voice gateway's):
/// data frames, close frames and hang-ups, each queued to the channel's event loop. The hubs call
/// it with their lock held, so what they send leaves in the order they decided it.
struct WebSocketLink: Sendable {
    private let channel: any Channel
    private let outbox: FrameOutbox

    init(channel: any Channel) {
        self.channel = channel
        outbox = FrameOutbox(channel: channel)
    }

    /// One data frame: text, or binary (zlib-stream gateway payloads, DAVE's MLS messages).
    func send(_ bytes: [UInt8], binary: Bool) {
        outbox.send(WebSocketFrame(fin: true, opcode: binary ? .binary : .text, data: channel.allocator.buffer(bytes: bytes)))
    }

    /// A close frame, then the hang-up: as soon as the client answers it (`answerClose` sees the
    /// connection closing already and only hangs up), or after a second.
    func sendClose(code: UInt16, reason: String) {
        let channel = channel
        let frame = Self.closeFrame(code: code, reason: reason, allocator: channel.allocator)
        channel.eventLoop.execute {
            channel.writeAndFlush(frame, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
    }

    /// The client sent a close frame first: echo its code, and hang up once that is written.
    func answerClose(code: UInt16) {
        let channel = channel
        let frame = Self.closeFrame(code: code, reason: "", allocator: channel.allocator)
        channel.eventLoop.execute {
            channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// A TCP close with no close frame (what a network drop looks like to the client), or the
    /// end of a close handshake.
    func hangUp() {
        let channel = channel
        channel.eventLoop.execute { channel.close(promise: nil) }
    }

    /// Runs `work` on the connection's event loop after `delay` (a heartbeat deadline).
    func schedule(in delay: TimeAmount, _ work: @escaping @Sendable () -> Void) {
        channel.eventLoop.scheduleTask(in: delay, work)
    }

    private static func closeFrame(code: UInt16, reason: String, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var buffer = allocator.buffer(capacity: 2 + reason.utf8.count)
        buffer.writeInteger(code)
        buffer.writeString(reason)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer)
    }
}
