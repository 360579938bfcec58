/// A bus message: its topic, payload and origin, borrowed from whoever holds the bytes — the
/// publisher while it publishes, the subscriber's queue while the subscriber is called. Valid only
/// during the call it is passed to; whoever keeps any of it copies it.
package struct BusMessage {
    package let topic: UnsafeBufferPointer<UInt8>
    package let payload: UnsafeBufferPointer<UInt8>
    /// The publishing plugin's name, empty for the host.
    package let publisherBytes: UnsafeBufferPointer<UInt8>
    /// The gateway shard and sequence of a dispatch; -1 and 0 otherwise.
    package let shard: Int32
    package let sequence: Int64

    package init(topic: UnsafeBufferPointer<UInt8>, payload: UnsafeBufferPointer<UInt8>, publisherBytes: UnsafeBufferPointer<UInt8>,
                 shard: Int32, sequence: Int64) {
        self.topic = topic
        self.payload = payload
        self.publisherBytes = publisherBytes
        self.shard = shard
        self.sequence = sequence
    }

    package var origin: BusOrigin { BusOrigin(shard: shard, sequence: sequence, publisher: Array(publisherBytes)) }

    package var topicString: String { String(decoding: topic, as: UTF8.self) }

    /// A copy of the payload, for observers that keep it.
    package var payloadBytes: [UInt8] { Array(payload) }

    /// What a queued copy of this message counts against a subscriber's byte bound.
    package var byteCount: Int { topic.count + payload.count }

    /// Payloads up to this many bytes are copied into each subscriber's queue: copying them costs
    /// less than sharing their buffer between threads. A larger payload is shared, not copied: a
    /// gateway dispatch's `d` reaches plugins straight from the received frame.
    package static let inlinePayloadLimit = 512
}

/// Who published a bus message.
public struct BusOrigin: Sendable {
    public var shard: Int32
    public var sequence: Int64
    public var publisher: [UInt8]

    public static let host = BusOrigin(shard: -1, sequence: 0, publisher: [])
    public static func plugin(_ name: String) -> BusOrigin { BusOrigin(shard: -1, sequence: 0, publisher: Array(name.utf8)) }
    public static func gateway(shard: Int, sequence: Int) -> BusOrigin {
        BusOrigin(shard: Int32(shard), sequence: Int64(sequence), publisher: [])
    }
}
