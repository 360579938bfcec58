import CZlib

/// Why a zlib-stream message could not be inflated.
package struct ZlibStreamError: Error, Equatable, CustomStringConvertible {
    package let message: String
    package var description: String { "zlib-stream: \(message)" }
}

/// `compress=zlib-stream`: the whole connection is one zlib stream, and each gateway message ends
/// with a sync flush (`00 00 FF FF`). Frames are buffered until that marker, then inflated with the
/// connection's single context, whose window later messages refer back to. One instance per
/// connection, used from one task only.
package final class ZlibStreamInflater {
    package static let flushSuffix: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    private let stream: UnsafeMutablePointer<z_stream>
    private var pending: [UInt8] = []
    private var failed = false
    /// Bounds both the buffered compressed bytes and one inflated message.
    package let maxMessageBytes: Int

    package init(maxMessageBytes: Int = 64 << 20) throws(ZlibStreamError) {
        self.maxMessageBytes = maxMessageBytes
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw ZlibStreamError(message: "inflateInit failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Adds one binary frame. Returns the inflated message once the buffer ends with the flush
    /// marker, nil while a message is still incomplete.
    package func feed(_ frame: some Collection<UInt8>) throws(ZlibStreamError) -> [UInt8]? {
        guard !failed else { throw ZlibStreamError(message: "the stream already failed; reconnect") }
        pending.append(contentsOf: frame)
        guard pending.count <= maxMessageBytes else {
            failed = true
            throw ZlibStreamError(message: "a compressed message exceeds \(maxMessageBytes) bytes")
        }
        guard pending.count >= 4, pending.suffix(4).elementsEqual(Self.flushSuffix) else { return nil }
        defer { pending.removeAll(keepingCapacity: pending.count <= 1 << 20) }
        do {
            return try inflatePending()
        } catch {
            failed = true
            throw error
        }
    }

    private func inflatePending() throws(ZlibStreamError) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(16 << 10, pending.count * 4))
        let count = pending.count
        let status: Int32 = pending.withUnsafeMutableBufferPointer { input -> Int32 in
            stream.pointee.next_in = input.baseAddress
            stream.pointee.avail_in = UInt32(count)
            defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
            while true {
                let produced: Int
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    let status = inflate(stream, Z_SYNC_FLUSH)
                    stream.pointee.next_out = nil
                    return status
                }
                produced = chunk.count - Int(stream.pointee.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= maxMessageBytes else { return Z_MEM_ERROR }
                switch status {
                case Z_OK:
                    // Done when all input is consumed and the output buffer was not filled.
                    if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return Z_OK }
                case Z_BUF_ERROR:
                    // No progress possible: fine if everything was consumed.
                    return stream.pointee.avail_in == 0 ? Z_OK : Z_BUF_ERROR
                default:
                    return status
                }
            }
        }
        switch status {
        case Z_OK: return output
        case Z_MEM_ERROR where output.count > maxMessageBytes:
            throw ZlibStreamError(message: "an inflated message exceeds \(maxMessageBytes) bytes")
        case Z_STREAM_END:
            throw ZlibStreamError(message: "the server ended the stream")
        default:
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw ZlibStreamError(message: "corrupt data (\(detail))")
        }
    }
}
