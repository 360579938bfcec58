import BotHostCore
import Foundation
import Synchronization

/// One end of the socket between the host and an isolated plugin's process: framed reads on a
/// thread of its own, and writes that any thread may make.
///
/// Threading: `send` is safe from any thread and never reorders frames sent by one thread. The
/// first sender finds the socket idle and writes everything queued by then, including frames
/// other threads append meanwhile, so a burst costs one system call rather than one per frame.
/// `run` reads until the peer closes and must be called on a thread that can block.
package final class IsolationChannel: Sendable {
    package let fd: Int32
    /// Frames larger than this end the channel: the peer is broken or hostile.
    package static let maxFrameBytes = 96 * 1024 * 1024

    private struct Outbox {
        var pending: [UInt8] = []
        var writing = false
        var closed = false
    }
    private let outbox = Mutex(Outbox())

    package init(fd: Int32) { self.fd = fd }

    // Closed only when nobody can send any more: a writer racing a closed fd could otherwise
    // write into whatever file reused its number.
    deinit { Foundation.close(fd) }

    /// Queues a finished frame and writes it unless another thread is writing; false once the
    /// channel is closed (the peer is gone).
    @discardableResult
    package func send(_ frame: [UInt8]) -> Bool {
        guard let mustWrite = enqueue(frame) else { return false }
        if mustWrite { drain() }
        return true
    }

    /// Queues a frame without writing: true when the caller found the socket idle and must call
    /// `drain` (after releasing whatever lock it holds); nil once the channel is closed.
    package func enqueue(_ frame: [UInt8]) -> Bool? {
        outbox.withLock { box -> Bool? in
            guard !box.closed else { return nil }
            box.pending.append(contentsOf: frame)
            if box.writing { return false }
            box.writing = true
            return true
        }
    }

    /// Sends from a thread that must not block (the shared pool): when the socket is idle the
    /// write happens on a thread of its own.
    package func sendDetached(_ frame: [UInt8]) {
        if enqueue(frame) == true { BlockingWork.detach("plugin-channel-write") { self.drain() } }
    }

    /// Writes what is queued, and what others queue meanwhile, until the outbox is empty.
    package func drain() {
        while true {
            let chunk = outbox.withLock { box -> [UInt8]? in
                if box.pending.isEmpty || box.closed { box.writing = false; return nil }
                let chunk = box.pending
                box.pending.removeAll(keepingCapacity: true)
                return chunk
            }
            guard let chunk else { return }
            if !writeAll(chunk) {
                close()
                return
            }
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n > 0 { offset += n; continue }
                if n < 0 && errno == EINTR { continue }
                return false
            }
            return true
        }
    }

    /// Stops sending and wakes the reader (shutdown, not close: the reader still owns the fd).
    package func close() {
        let first = outbox.withLock { box -> Bool in
            defer { box.closed = true; box.pending = [] }
            return !box.closed
        }
        if first { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    package var isClosed: Bool { outbox.withLock { $0.closed } }

    /// Reads frames until the peer closes or sends something malformed, handing each frame's kind
    /// and body to `handle` (the body is valid only during the call). Returns why it ended: nil for
    /// a clean end of stream. The channel is closed when it returns.
    package func run(_ handle: (UInt8, UnsafeRawBufferPointer) throws(WireError) -> Void) -> WireError? {
        defer { close() }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var filled = 0
        while true {
            // Parse every whole frame in the buffer.
            var start = 0
            var failure: WireError? = nil
            buffer.withUnsafeBytes { raw in
                while filled - start >= 5 {
                    let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
                    guard length >= 1, length <= Self.maxFrameBytes else {
                        failure = WireError("a frame of \(length) bytes")
                        return
                    }
                    guard filled - start >= 4 + length else { return }
                    let kind = raw[start + 4]
                    let body = UnsafeRawBufferPointer(rebasing: raw[(start + 5)..<(start + 4 + length)])
                    do { try handle(kind, body) } catch { failure = (error as? WireError) ?? WireError("\(error)"); return }
                    start += 4 + length
                }
            }
            if let failure { return failure }
            if start > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    if filled > start, let base = raw.baseAddress { memmove(base, base + start, filled - start) }
                }
                filled -= start
            }
            // Grow for a frame bigger than the buffer.
            if filled >= 5 {
                let length = buffer.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
                if 4 + length > buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: 4 + length - buffer.count)) }
            }
            let n = buffer.withUnsafeMutableBytes { raw in
                Foundation.recv(fd, raw.baseAddress! + filled, raw.count - filled, 0)
            }
            if n > 0 { filled += n; continue }
            if n < 0 && errno == EINTR { continue }
            return filled == 0 ? nil : WireError("the stream ended inside a frame")
        }
    }
}
