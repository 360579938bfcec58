@testable import DiscordClient
import BotHostCore
import CZlib
import BotHostTestSupport
import Testing

/// The server side of zlib-stream: one deflate context for the whole connection, each message
/// ended with a sync flush (so it ends with 00 00 FF FF), as Discord sends them.
private final class StreamDeflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init() {
        stream.initialize(to: z_stream())
        let status = deflateInit_(stream, Z_DEFAULT_COMPRESSION, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    func compress(_ message: [UInt8]) -> [UInt8] {
        var input = message
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.pointee.next_in = inBuf.baseAddress
            stream.pointee.avail_in = UInt32(inBuf.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    _ = deflate(stream, Z_SYNC_FLUSH)
                }
                output += chunk[0..<(chunk.count - Int(stream.pointee.avail_out))]
            } while stream.pointee.avail_out == 0
        }
        return output
    }
}

@Suite struct GatewayInflaterTests {
    private func message(_ n: Int) -> [UInt8] {
        Array(#"{"op":0,"s":\#(n),"t":"MESSAGE_CREATE","d":{"content":"message number \#(n) with some repeated text repeated text","channel_id":"123456789012345678"}}"#.utf8)
    }

    @Test func inflatesMessagesThatShareOneContext() throws {
        let deflater = StreamDeflater()
        let inflater = try ZlibStreamInflater()
        for n in 1...50 {
            let compressed = deflater.compress(message(n))
            #expect(compressed.suffix(4).elementsEqual(ZlibStreamInflater.flushSuffix))
            #expect(try inflater.feed(compressed) == message(n))
        }
    }

    @Test func laterMessagesNeedTheConnectionsContext() throws {
        let deflater = StreamDeflater()
        _ = deflater.compress(message(1))
        let second = deflater.compress(message(2))
        // A fresh context cannot read a message from the middle of the stream.
        #expect(throws: ZlibStreamError.self) { _ = try ZlibStreamInflater().feed(second) }
    }

    @Test func buffersFramesUntilTheFlushMarker() throws {
        var rng = SplitMix64(state: 99)
        let deflater = StreamDeflater()
        let inflater = try ZlibStreamInflater()
        for n in 1...40 {
            let big = Array((0..<(n * 50)).map { _ in UInt8.random(in: 0x61...0x7A, using: &rng) })
            let compressed = deflater.compress(big)
            // Split into frames at random points; only the last frame completes the message.
            var cuts = Set((0..<Int.random(in: 0...5, using: &rng)).map { _ in Int.random(in: 1..<compressed.count, using: &rng) })
            cuts.insert(compressed.count)
            var start = 0
            for cut in cuts.sorted() {
                let result = try inflater.feed(compressed[start..<cut])
                if cut == compressed.count { #expect(result == big) } else { #expect(result == nil) }
                start = cut
            }
        }
    }

    @Test func corruptDataFailsAndTheStreamStaysFailed() throws {
        let deflater = StreamDeflater()
        let inflater = try ZlibStreamInflater()
        #expect(try inflater.feed(deflater.compress(message(1))) == message(1))
        var corrupt = deflater.compress(message(2))
        for i in 0..<(corrupt.count - 4) { corrupt[i] ^= 0x5A }
        #expect(throws: ZlibStreamError.self) { _ = try inflater.feed(corrupt) }
        #expect(throws: ZlibStreamError.self) { _ = try inflater.feed(deflater.compress(message(3))) }
    }

    @Test func refusesMessagesAboveTheLimit() throws {
        let deflater = StreamDeflater()
        let inflater = try ZlibStreamInflater(maxMessageBytes: 4096)
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 100_000)  // compresses well below 4096
        #expect(throws: ZlibStreamError.self) { _ = try inflater.feed(deflater.compress(huge)) }
    }
}
