import Foundation

/// The messages between the host and an isolated plugin's process (`bothost plugin-host`), over
/// one Unix stream socket. A frame is a little-endian u32 length (of what follows), a one-byte
/// kind and the fields, each written by `WireWriter` and read back by `WireReader` in the same
/// order. The host treats everything the child sends as untrusted: a frame that does not parse is
/// a protocol violation and the child is killed.
package enum WireKind: UInt8, Sendable {
    // host → child
    /// Load this library (path) and answer `loaded` or `refused`.
    case load = 1
    /// Run a callback (or a lifecycle step) in order on the plugin's executor: seq, token, callback.
    case callback = 2
    /// Free a registration's user_data (after every callback sent before it): seq, token.
    case free = 3
    /// The answer to the child's `call` with the same id.
    case answer = 4
    /// The host gave up waiting for the running lifecycle step: go on with the queue on a fresh
    /// thread, leaving that step to finish (or not) on its own, as the host's executor does.
    case abandon = 5
    /// The host has begun stopping the plugin: skip the callbacks still queued (not the frees,
    /// not the lifecycle steps), as the host does for a plugin that is stopping.
    case stopping = 6

    // child → host
    case loaded = 20
    case refused = 21
    /// A host API call: id (0: no answer wanted), op, arguments.
    case call = 22
    /// Callbacks up to this seq have returned (with a status for lifecycle steps).
    case done = 23
}

/// The host API calls the child forwards, by slot.
package enum WireOp: UInt8, Sendable {
    case log = 1, unregister, timerStart, busPublish, busSubscribe, busServe, busRequest, busReply
    case commandRegister, interactionReply, interactionDefer, interactionFollowup, interactionEdit
    case configGet, storageGet, storageSet, storageDelete, storageList, httpRequest, cleanupRegister
    case discordRequest, componentRegister, autocompleteRegister, interactionRespond
    case voiceJoin, voiceLeave, voiceSend, voiceStopSending, voiceSubscribeAudio, voiceSubscribeEvents, nowMs
}

/// What a `callback` frame runs in the child.
package enum WireCallback: UInt8, Sendable {
    // lifecycle steps: the host waits for their `done`
    case initialize = 1, start, stop, configChanged, cleanup
    /// Nothing: answered once everything sent before it has run.
    case barrier
    // registrations' callbacks
    case timer = 10, bus, serve, reply, done, command, http, discord, voiceEvent, voiceFrame

    /// Lifecycle steps answer with a status the host waits for.
    package var isLifecycle: Bool { rawValue < 10 }
}

/// A malformed frame.
package struct WireError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// Appends fields to a frame.
package struct WireWriter {
    package private(set) var bytes: [UInt8]

    /// Starts a frame of `kind`; `finish()` fills in its length.
    package init(_ kind: WireKind, reserve: Int = 64) {
        bytes = []
        bytes.reserveCapacity(reserve + 5)
        bytes.append(contentsOf: [0, 0, 0, 0, kind.rawValue])
    }

    package mutating func u8(_ value: UInt8) { bytes.append(value) }
    package mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    package mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
    package mutating func f64(_ value: Double) { u64(value.bitPattern) }

    /// A length-prefixed byte string.
    package mutating func data(_ buffer: UnsafeRawBufferPointer) {
        u32(UInt32(buffer.count))
        bytes.append(contentsOf: buffer)
    }
    package mutating func data(_ array: [UInt8]) { array.withUnsafeBytes { data($0) } }
    package mutating func string(_ text: String) { data(Array(text.utf8)) }
    /// Raw bytes with no length (a tail the reader takes whole).
    package mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
    /// A C slice (NULL with length 0 is empty); nil pointers with a length are written empty.
    package mutating func data(_ pointer: UnsafeRawPointer?, _ count: Int) {
        guard let pointer, count > 0 else { u32(0); return }
        data(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// The finished frame of a writer used once.
    package func finishedCopy() -> [UInt8] {
        var copy = self
        return copy.finish()
    }

    /// The frame with its length.
    package mutating func finish() -> [UInt8] {
        let length = UInt32(bytes.count - 4).littleEndian
        withUnsafeBytes(of: length) { raw in for i in 0..<4 { bytes[i] = raw[i] } }
        return bytes
    }
}

/// Reads a frame's fields in order; every read is bounds-checked.
package struct WireReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    /// `bytes` is a frame's body (after the kind byte); it must outlive the reader.
    package init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    package var isAtEnd: Bool { offset == bytes.count }

    private mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw WireError("frame ends inside a field") }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size])) }
        offset += size
        return T(littleEndian: value)
    }

    package mutating func u8() throws(WireError) -> UInt8 { try fixed(UInt8.self) }
    package mutating func u16() throws(WireError) -> UInt16 { try fixed(UInt16.self) }
    package mutating func u32() throws(WireError) -> UInt32 { try fixed(UInt32.self) }
    package mutating func u64() throws(WireError) -> UInt64 { try fixed(UInt64.self) }
    package mutating func i32() throws(WireError) -> Int32 { Int32(bitPattern: try u32()) }
    package mutating func i64() throws(WireError) -> Int64 { Int64(bitPattern: try u64()) }
    package mutating func f64() throws(WireError) -> Double { Double(bitPattern: try u64()) }

    /// A length-prefixed byte string, as a view into the frame.
    package mutating func data() throws(WireError) -> UnsafeRawBufferPointer {
        let count = Int(try u32())
        guard bytes.count - offset >= count else { throw WireError("a field's length runs past the frame") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }
    /// Everything not read yet.
    package mutating func rest() -> UnsafeRawBufferPointer {
        defer { offset = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset...])
    }
    package mutating func bytesArray() throws(WireError) -> [UInt8] { Array(try data()) }
    package mutating func string() throws(WireError) -> String { String(decoding: try data(), as: UTF8.self) }

    package mutating func op() throws(WireError) -> WireOp {
        let raw = try u8()
        guard let op = WireOp(rawValue: raw) else { throw WireError("unknown call \(raw)") }
        return op
    }
    package mutating func callback() throws(WireError) -> WireCallback {
        let raw = try u8()
        guard let kind = WireCallback(rawValue: raw) else { throw WireError("unknown callback \(raw)") }
        return kind
    }
}
