import Foundation
import PluginAPI

/// One published message, shared by every subscriber it is delivered to (never copied per subscriber).
final class BusMessage: @unchecked Sendable {
    let topic: [UInt8]
    /// A slice, so a gateway dispatch's `d` reaches plugins straight from the received frame.
    let payload: ArraySlice<UInt8>
    /// Where it came from: the gateway shard and sequence of a dispatch (-1/0 otherwise), and the
    /// publishing plugin (empty for the host).
    let origin: BusOrigin
    /// The publisher's name in memory that stays put while the message lives (handed to C).
    private let publisherBytes: UnsafeMutableBufferPointer<CChar>?

    init(topic: [UInt8], payload: ArraySlice<UInt8>, origin: BusOrigin = .host) {
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

    /// The publisher's name as a C slice, valid while this message is alive.
    var publisher: bothost_str {
        bothost_str(ptr: publisherBytes.flatMap { UnsafePointer($0.baseAddress) }, len: publisherBytes?.count ?? 0)
    }

    var topicString: String { String(decoding: topic, as: UTF8.self) }

    /// What a queued copy of this message counts against a subscriber's byte bound.
    var byteCount: Int { topic.count + payload.count }
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

/// The message a bus callback on this thread is delivering, for `bus_message_info`.
enum CurrentBusMessage {
    private final class Slot { var message: BusMessage? }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        return key
    }()

    private static var slot: Slot {
        if let raw = pthread_getspecific(key) { return Unmanaged<Slot>.fromOpaque(raw).takeUnretainedValue() }
        let slot = Slot()
        pthread_setspecific(key, Unmanaged.passRetained(slot).toOpaque())
        return slot
    }

    /// Runs `body` with `message` as the current one.
    @inline(__always)
    static func with<R>(_ message: BusMessage, _ body: () -> R) -> R {
        let slot = slot
        let previous = slot.message
        slot.message = message
        defer { slot.message = previous }
        return body()
    }

    static var current: BusMessage? { slot.message }
}
