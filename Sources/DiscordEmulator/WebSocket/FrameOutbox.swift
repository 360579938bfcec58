import NIOCore
import NIOWebSocket
import Synchronization

/// Frames waiting to be written to one WebSocket connection. A burst of dispatches costs one hop to
/// the channel's event loop and one flush, as a real server's socket writes batch under load,
/// instead of a hop per frame. Order is kept: frames leave in the order they were queued.
final class FrameOutbox: Sendable {
    private let pending = Mutex<[WebSocketFrame]>([])
    private let channel: any Channel

    init(channel: any Channel) { self.channel = channel }

    func send(_ frame: WebSocketFrame) {
        let first = pending.withLock { queue -> Bool in
            queue.append(frame)
            return queue.count == 1
        }
        guard first else { return }  // a drain is already scheduled and will take this frame
        let channel = self.channel
        channel.eventLoop.execute { [self] in
            let frames = pending.withLock { queue -> [WebSocketFrame] in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            for frame in frames { channel.write(frame, promise: nil) }
            channel.flush()
        }
    }
}
