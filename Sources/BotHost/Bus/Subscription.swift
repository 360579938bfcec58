import PluginAPI

/// A plugin's subscription to a topic pattern. Deliveries run on the plugin's executor.
final class Subscription: @unchecked Sendable {
    let pattern: TopicPattern
    let registration: Registration
    /// Strong: a delivery already snapshotted or queued may outlive the plugin's removal from the
    /// manager, and must still be able to ask the owner whether it takes callbacks.
    let owner: PluginInstance
    let fn: bothost_bus_fn

    init(pattern: TopicPattern, registration: Registration, owner: PluginInstance, fn: @escaping bothost_bus_fn) {
        self.pattern = pattern
        self.registration = registration
        self.owner = owner
        self.fn = fn
    }

    /// Called on the owner's executor.
    @inline(__always)
    func deliver(_ message: BusMessage) {
        guard registration.isActive, owner.acceptsCallbacks else { return }
        CurrentBusMessage.with(message) {
            call(message)
        }
    }

    @inline(__always)
    private func call(_ message: BusMessage) {
        message.topic.withUnsafeBufferPointer { topic in
            message.payload.withUnsafeBufferPointer { payload in
                topic.withMemoryRebound(to: CChar.self) { chars in
                    fn(registration.userData, registration.handle,
                       bothost_str(ptr: chars.baseAddress, len: chars.count),
                       bothost_bytes(ptr: payload.baseAddress, len: payload.count))
                }
            }
        }
    }
}
