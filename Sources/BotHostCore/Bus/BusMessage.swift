import Foundation

/// One published message, shared by every subscriber it is delivered to (never copied per subscriber).
package final class BusMessage: @unchecked Sendable {
    package let topic: [UInt8]
    /// A slice, so a gateway dispatch's `d` reaches plugins straight from the received frame.
    package let payload: ArraySlice<UInt8>
    /// Where it came from: the gateway shard and sequence of a dispatch (-1/0 otherwise), and the
    /// publishing plugin (empty for the host).
    package let origin: BusOrigin
    /// The publisher's name in memory that stays put while the message lives (handed to C).
    package let publisherBytes: UnsafeMutableBufferPointer<CChar>?

    package init(topic: [UInt8], payload: ArraySlice<UInt8>, origin: BusOrigin = .host) {
        self.topic = topic
        self.payload = payload
        self.origin = origin
        if origin.publisher.isEmpty {
            publisherBytes = nil
        } else {
            let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: origin.publisher.count)
            _ = buffer.initialize(from: origin.publisher.map { CChar(bitPattern: $0) })
            publisherBytes = buffer
        }
    }

    deinit { publisherBytes?.deallocate() }

    package var topicString: String { String(decoding: topic, as: UTF8.self) }

    /// What a queued copy of this message counts against a subscriber's byte bound.
    package var byteCount: Int { topic.count + payload.count }
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
