import PluginAPI

/// One published message, shared by every subscriber it is delivered to (copied once on publish).
final class BusMessage: Sendable {
    let topic: [UInt8]
    let payload: [UInt8]

    init(topic: [UInt8], payload: [UInt8]) {
        self.topic = topic
        self.payload = payload
    }

    var topicString: String { String(decoding: topic, as: UTF8.self) }
}
