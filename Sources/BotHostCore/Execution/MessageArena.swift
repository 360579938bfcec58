/// The bytes of the bus messages queued on one executor, back to back in one growing block: a
/// delivery is a record here (origin, topic, publisher name and, when small, the payload) and its
/// job holds only the record's offset. Publishers write records into the executor's open arena
/// under its lock; the worker takes the whole arena with the jobs, reads the records in place and
/// empties the arena for reuse. So a delivery costs no allocation, no free and no reference count
/// on either thread — each of which, shared by the publishing and the delivering thread, cost more
/// than copying a small message.
///
/// Threading: one owner at a time (the executor's lock, or the worker that took it).
final class MessageArena: @unchecked Sendable {  // one owner at a time, handed over under a lock
    /// A record's fixed part; the topic, the publisher's name and an inline payload follow it.
    private struct RecordHeader {
        var sequence: Int64
        /// A payload kept outside the arena (see `append`), or nil when it follows the name.
        var sharedPayload: UnsafePointer<UInt8>?
        var shard: Int32
        var payloadCount: UInt32
        var topicCount: UInt32
        var publisherCount: UInt32
    }

    private static let headerSize = (MemoryLayout<RecordHeader>.size + 7) & ~7
    /// Capacity kept across batches; a flood's larger block is freed once its batch has run.
    private static let keptCapacity = 256 << 10
    private static let initialCapacity = 16 << 10

    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    private(set) var used = 0

    init() {}

    deinit { base?.deallocate() }

    /// Copies `message` into the arena and returns its record's offset. With `payloadIsShared`
    /// (the caller keeps the payload's bytes alive and in place until the record has been read),
    /// the payload is not copied: the record points at it.
    func append(_ message: BusMessage, payloadIsShared: Bool) -> Int {
        let tail = message.topic.count + message.publisherBytes.count + (payloadIsShared ? 0 : message.payload.count)
        let size = (Self.headerSize + tail + 7) & ~7
        if used + size > capacity { grow(toHold: used + size) }
        guard let base else { preconditionFailure("arena without storage after growing") }
        let offset = used
        let record = base + offset
        record.storeBytes(of: RecordHeader(sequence: message.sequence, sharedPayload: payloadIsShared ? message.payload.baseAddress : nil,
                                           shard: message.shard, payloadCount: UInt32(message.payload.count),
                                           topicCount: UInt32(message.topic.count), publisherCount: UInt32(message.publisherBytes.count)),
                          as: RecordHeader.self)
        var bytes = record + Self.headerSize
        func copy(_ part: UnsafeBufferPointer<UInt8>) {
            if let start = part.baseAddress { bytes.copyMemory(from: start, byteCount: part.count) }
            bytes += part.count
        }
        copy(message.topic)
        copy(message.publisherBytes)
        if !payloadIsShared { copy(message.payload) }
        used += size
        return offset
    }

    /// The message recorded at `offset`, valid until the arena is emptied.
    func message(at offset: Int) -> BusMessage {
        guard let base else { preconditionFailure("no record at \(offset) of an empty arena") }
        let record = base + offset
        let header = record.load(as: RecordHeader.self)
        let bytes = UnsafePointer((record + Self.headerSize).assumingMemoryBound(to: UInt8.self))
        let topicCount = Int(header.topicCount), publisherCount = Int(header.publisherCount)
        let payload = header.sharedPayload ?? bytes + topicCount + publisherCount
        return BusMessage(topic: UnsafeBufferPointer(start: bytes, count: topicCount),
                          payload: UnsafeBufferPointer(start: payload, count: Int(header.payloadCount)),
                          publisherBytes: UnsafeBufferPointer(start: bytes + topicCount, count: publisherCount),
                          shard: header.shard, sequence: header.sequence)
    }

    /// Forgets every record (their messages have been delivered).
    func removeAll() {
        used = 0
        if capacity > Self.keptCapacity {
            base?.deallocate()
            base = nil
            capacity = 0
        }
    }

    private func grow(toHold needed: Int) {
        var newCapacity = max(Self.initialCapacity, capacity * 2)
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if let base {
            grown.copyMemory(from: base, byteCount: used)
            base.deallocate()
        }
        base = grown
        capacity = newCapacity
    }
}
