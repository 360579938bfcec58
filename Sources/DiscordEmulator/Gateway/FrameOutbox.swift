import NIOCore
import NIOWebSocket
import Synchronization

/// Frames waiting to be written to one gateway connection. A burst of dispatches costs one hop to
/// the channel's event loop and one flush, as a real server's socket writes batch under load,
/// instead of a hop per frame. Order is kept: frames leave in the order they were queued, and
/// nothing queued after a pre-encoded burst is written before the burst's last byte (on a
/// zlib-stream connection a frame out of order corrupts the client's inflate context).
final class FrameOutbox: Sendable {
    private enum Item {
        case frame(WebSocketFrame)
        case burst(FrameBurst)
    }

    private struct Queue {
        var pending: [Item] = []
        /// A drain is scheduled or running, or a burst is being written; it will take what is queued.
        var draining = false
    }

    private let queue = Mutex(Queue())
    private let channel: any Channel

    init(channel: any Channel) { self.channel = channel }

    func send(_ frame: WebSocketFrame) {
        enqueue(.frame(frame))
    }

    func send(_ burst: FrameBurst) {
        enqueue(.burst(burst))
    }

    private func enqueue(_ item: Item) {
        let schedule = queue.withLock { queue -> Bool in
            queue.pending.append(item)
            defer { queue.draining = true }
            return !queue.draining
        }
        guard schedule else { return }
        channel.eventLoop.execute { [self] in drain() }
    }

    /// On the event loop: writes what is queued until the queue is empty or a burst takes over.
    private func drain() {
        while true {
            let items = queue.withLock { queue -> [Item] in
                if queue.pending.isEmpty { queue.draining = false }
                defer { queue.pending.removeAll(keepingCapacity: true) }
                return queue.pending
            }
            guard !items.isEmpty else { return }
            for (index, item) in items.enumerated() {
                switch item {
                case .frame(let frame):
                    channel.write(frame, promise: nil)
                case .burst(let burst):
                    channel.flush()
                    // What came after the burst waits, ahead of anything queued meanwhile.
                    let rest = items[(index + 1)...]
                    queue.withLock { $0.pending.insert(contentsOf: rest, at: 0) }
                    FrameBurstWriter.start(burst, on: channel) { [self] in drain() }
                    return
                }
            }
            channel.flush()
        }
    }
}
