import CZlib
import Foundation

/// Why a zlib-stream message could not be inflated.
package struct ZlibStreamError: Error, Equatable, CustomStringConvertible {
    package let message: String
    package var description: String { "zlib-stream: \(message)" }
}

/// `compress=zlib-stream`: the whole connection is one zlib stream, and each gateway message ends
/// with a sync flush (`00 00 FF FF`). Frames are buffered until that marker, then inflated with the
/// connection's single context, whose window later messages refer back to. One instance per
/// connection, used from one task only.
///
/// Every dispatch comes through here, so the usual case costs one allocation: a message that
/// arrives whole in one frame is inflated straight from the frame into output space kept across
/// messages, then copied out once at its exact size.
package final class ZlibStreamInflater {
    package static let flushSuffix: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    private let stream: UnsafeMutablePointer<z_stream>
    /// A message split over several frames, until its last one arrives.
    private var pending: [UInt8] = []
    private var failed = false
    /// Where each message is inflated; larger messages go through it in steps.
    private let scratch: UnsafeMutableRawBufferPointer
    private static let scratchBytes = 64 << 10
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
        // The stream's Adler-32 would be checked only at its end, which a gateway connection never
        // reaches: not computing it saves a pass over every inflated byte.
        inflateValidate(stream, 0)
        scratch = .allocate(byteCount: Self.scratchBytes, alignment: 16)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Adds one binary frame. Returns the inflated message once the buffer ends with the flush
    /// marker, nil while a message is still incomplete.
    package func feed(_ frame: some Collection<UInt8>) throws(ZlibStreamError) -> [UInt8]? {
        if let outcome = frame.withContiguousStorageIfAvailable({ feed(contiguous: UnsafeRawBufferPointer($0)) }) {
            return try outcome.get()
        }
        return try Array(frame).withUnsafeBytes { feed(contiguous: $0) }.get()
    }

    /// The same, for a frame in memory the caller owns for the call (a socket buffer).
    package func feed(_ frame: UnsafeRawBufferPointer) throws(ZlibStreamError) -> [UInt8]? {
        try feed(contiguous: frame).get()
    }

    private func feed(contiguous frame: UnsafeRawBufferPointer) -> Result<[UInt8]?, ZlibStreamError> {
        guard !failed else { return .failure(ZlibStreamError(message: "the stream already failed; reconnect")) }
        let outcome: Result<[UInt8]?, ZlibStreamError>
        if pending.isEmpty && Self.endsWithFlush(frame) {
            // A whole message in one frame: inflate it where it lies.
            outcome = frame.count <= maxMessageBytes ? inflate(frame).map(Optional.some) : .failure(tooLarge)
        } else {
            pending.append(contentsOf: frame)
            guard pending.count <= maxMessageBytes else { return fail(tooLarge) }
            guard pending.withUnsafeBytes(Self.endsWithFlush) else { return .success(nil) }
            outcome = pending.withUnsafeBytes { inflate($0) }.map(Optional.some)
            pending.removeAll(keepingCapacity: pending.count <= 1 << 20)
        }
        if case .failure(let error) = outcome { return fail(error) }
        return outcome
    }

    private var tooLarge: ZlibStreamError { ZlibStreamError(message: "a compressed message exceeds \(maxMessageBytes) bytes") }

    private func fail(_ error: ZlibStreamError) -> Result<[UInt8]?, ZlibStreamError> {
        failed = true
        return .failure(error)
    }

    private static func endsWithFlush(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        return n >= 4 && bytes[n - 4] == 0x00 && bytes[n - 3] == 0x00 && bytes[n - 2] == 0xFF && bytes[n - 1] == 0xFF
    }

    /// Inflates one complete message with the connection's context.
    private func inflate(_ input: UnsafeRawBufferPointer) -> Result<[UInt8], ZlibStreamError> {
        guard let base = input.baseAddress, let out = scratch.baseAddress else { return .success([]) }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0; stream.pointee.next_out = nil }
        // Only a message larger than the scratch space is gathered here, step by step.
        var gathered: [UInt8] = []
        while true {
            stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(scratch.count)
            let status = CZlib.inflate(stream, Z_SYNC_FLUSH)
            let produced = UnsafeRawBufferPointer(start: out, count: scratch.count - Int(stream.pointee.avail_out))
            let finished: Bool
            switch status {
            case Z_OK:
                // Done when all input is consumed and the output space was not filled.
                finished = stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                // No progress possible, and none needed: everything was consumed.
                finished = true
            case Z_STREAM_END:
                return .failure(ZlibStreamError(message: "the server ended the stream"))
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                return .failure(ZlibStreamError(message: "corrupt data (\(detail))"))
            }
            if finished && gathered.isEmpty {
                guard produced.count <= maxMessageBytes else { break }
                return .success([UInt8](unsafeUninitializedCapacity: produced.count) { buffer, count in
                    if let target = buffer.baseAddress, let source = produced.baseAddress { memcpy(target, source, produced.count) }
                    count = produced.count
                })
            }
            gathered.append(contentsOf: produced)
            guard gathered.count <= maxMessageBytes else { break }
            if finished { return .success(gathered) }
        }
        return .failure(ZlibStreamError(message: "an inflated message exceeds \(maxMessageBytes) bytes"))
    }
}
