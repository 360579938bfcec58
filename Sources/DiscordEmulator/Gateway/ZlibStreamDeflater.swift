import CZlib

/// zlib-stream transport compression: one deflate context for the whole connection, each
/// payload flushed with Z_SYNC_FLUSH so it ends in 00 00 FF FF and the client can inflate it
/// with the context it keeps for the connection.
final class ZlibStreamDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// Output space reused across payloads (the deflater is only used under the hub's lock).
    private var chunk = [UInt8](repeating: 0, count: 16_384)

    init?() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    func compress(_ input: [UInt8]) -> [UInt8] {
        var input = input
        var output: [UInt8] = []
        input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = UInt32(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    _ = deflate(stream, Z_SYNC_FLUSH)
                    return target.count - Int(stream.pointee.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
        }
        return output
    }
}
