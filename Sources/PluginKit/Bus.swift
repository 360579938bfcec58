/// The message bus: publish, subscribe, serve and request (see BusService.swift for the last two).
///
/// Topics are dot-separated; in patterns `*` matches one segment and a final `>` matches the rest.
public struct Bus: Sendable {
    let host: PluginHost

    /// Publishes bytes. Returns once queued for every matching subscriber.
    public func publish(_ topic: String, _ payload: [UInt8]) throws {
        let publish = try host.table.require(\.bus_publish, "bus_publish")
        let status = withStr(topic) { topic in withBytes(payload) { publish(host.plugin, topic, $0) } }
        try host.check(status, "publish on \(topic)")
    }

    /// Publishes `value` encoded as JSON (a `RawJSON` is sent as is).
    public func publish<T: Encodable>(_ topic: String, json value: T) throws {
        try publish(topic, try JSON.encode(value))
    }

    /// Calls `handler` for every message on a topic matching `pattern`, in publish order.
    @discardableResult
    public func subscribe(_ pattern: String, _ handler: @escaping (BusMessage) -> Void) throws -> Registration {
        let subscribe = try host.table.require(\.bus_subscribe, "bus_subscribe")
        return try host.register(HandlerBox(host: host, handler: handler), "subscribe to \(pattern)") { userData, handle in
            withStr(pattern) { subscribe(host.plugin, $0, messageArrived, userData, releaseCallbackBox, handle) }
        }
    }
}

private func messageArrived(_ userData: UnsafeMutableRawPointer?, _ subscription: bothost_handle,
                            _ topic: bothost_str, _ payload: bothost_bytes) {
    guard let box = HandlerBox<(BusMessage) -> Void>.from(userData) else { return }
    let message = BusMessage(topic: String(topic), payload: Array(payload))
    box.host.enter { box.handler(message) }
}
