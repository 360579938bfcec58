/// A bus message a subscription received, or a request a service received.
public struct BusMessage: Sendable {
    /// The concrete topic it was published or requested on.
    public let topic: String
    public let payload: [UInt8]

    public init(topic: String, payload: [UInt8]) {
        self.topic = topic
        self.payload = payload
    }

    /// The payload as UTF-8 text.
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// Decodes the JSON payload.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decode(T.self, from: payload, what: "bus message on \(topic)")
    }
}

/// A successful answer to `bus.request`. (Error answers are thrown as `PluginError`, with the
/// server's status as `code` and its payload in `payload`.)
public struct BusReply: Sendable {
    public let payload: [UInt8]

    public var text: String { String(decoding: payload, as: UTF8.self) }

    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decode(T.self, from: payload, what: "bus reply")
    }
}
