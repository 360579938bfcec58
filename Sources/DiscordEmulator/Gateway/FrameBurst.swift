import NIOCore
import NIOWebSocket

/// A run of gateway frames encoded ahead of time: WebSocket framing and (on zlib-stream
/// connections) compression already done, so writing it costs the socket and nothing else.
/// Chunks end on frame boundaries, so a control frame written between two chunks (a pong)
/// still lands between whole frames.
struct FrameBurst: Sendable {
    let chunks: [ByteBuffer]
    let bytes: Int
    let written: EventLoopPromise<BurstWriteTimes>
}

/// When the first chunk of a burst was handed to the socket and when the last one was taken.
public struct BurstWriteTimes: Sendable {
    public let started: ContinuousClock.Instant
    public let finished: ContinuousClock.Instant
}

/// Frames a burst's payloads as server-to-client WebSocket frames (FIN set, never masked).
struct FrameBurstBuilder {
    /// Large enough that a chunk is one socket write's worth; small enough that two in flight
    /// keep little memory handed to NIO.
    static let chunkBytes = 256 * 1024

    private let allocator: ByteBufferAllocator
    private let opcode: WebSocketOpcode
    private var chunks: [ByteBuffer] = []
    private var current: ByteBuffer
    private var bytes = 0

    init(allocator: ByteBufferAllocator, opcode: WebSocketOpcode) {
        self.allocator = allocator
        self.opcode = opcode
        current = allocator.buffer(capacity: Self.chunkBytes + 4096)
    }

    mutating func append(_ payload: [UInt8]) {
        current.writeInteger(0x80 | UInt8(webSocketOpcode: opcode))
        switch payload.count {
        case ...125:
            current.writeInteger(UInt8(payload.count))
        case ...0xFFFF:
            current.writeInteger(UInt8(126))
            current.writeInteger(UInt16(payload.count))
        default:
            current.writeInteger(UInt8(127))
            current.writeInteger(UInt64(payload.count))
        }
        current.writeBytes(payload)
        if current.readableBytes >= Self.chunkBytes { seal() }
    }

    mutating func finish(written: EventLoopPromise<BurstWriteTimes>) -> FrameBurst {
        if current.readableBytes > 0 { seal() }
        return FrameBurst(chunks: chunks, bytes: bytes, written: written)
    }

    private mutating func seal() {
        bytes += current.readableBytes
        chunks.append(current)
        current = allocator.buffer(capacity: Self.chunkBytes + 4096)
    }
}

/// Writes one burst on its channel's event loop, below the WebSocket encoder since the frames
/// are already encoded. Two chunks are in flight at a time: the socket always has the next one
/// ready, and the rest waits here instead of piling up in NIO's write queue (back-pressure).
final class FrameBurstWriter {
    private let burst: FrameBurst
    private let context: ChannelHandlerContext
    private let eventLoop: any EventLoop
    private let done: () -> Void
    private var next = 0
    private var completed = 0
    private var started: ContinuousClock.Instant?
    private var failed = false

    /// Starts writing; `done` runs on the event loop once the burst is written or has failed.
    static func start(_ burst: FrameBurst, on channel: any Channel, done: @escaping () -> Void) {
        channel.eventLoop.assertInEventLoop()
        guard !burst.chunks.isEmpty else {
            let now = ContinuousClock.now
            burst.written.succeed(BurstWriteTimes(started: now, finished: now))
            return done()
        }
        do {
            // The encoder's context writes to the handler after it: straight towards the socket.
            let context = try channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
            let writer = FrameBurstWriter(burst: burst, context: context, eventLoop: channel.eventLoop, done: done)
            writer.writeNext()
            writer.writeNext()
        } catch {
            burst.written.fail(error)
            done()
        }
    }

    private init(burst: FrameBurst, context: ChannelHandlerContext, eventLoop: any EventLoop, done: @escaping () -> Void) {
        self.burst = burst
        self.context = context
        self.eventLoop = eventLoop
        self.done = done
    }

    private func writeNext() {
        guard next < burst.chunks.count, !failed else { return }
        let chunk = burst.chunks[next]
        next += 1
        if started == nil { started = ContinuousClock.now }
        let promise = eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { result in self.chunkCompleted(result) }
        context.writeAndFlush(NIOAny(chunk), promise: promise)
    }

    private func chunkCompleted(_ result: Result<Void, any Error>) {
        guard !failed else { return }
        if case .failure(let error) = result {
            failed = true
            burst.written.fail(error)
            return done()
        }
        completed += 1
        if completed == burst.chunks.count {
            burst.written.succeed(BurstWriteTimes(started: started ?? .now, finished: .now))
            return done()
        }
        writeNext()
    }
}
