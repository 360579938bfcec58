import BotHostCore
import Foundation
import PluginAPI

/// A plugin's subscription to a topic pattern: the C callback the bus delivers to, on the
/// plugin's executor.
package final class Subscription: BusSubscription, @unchecked Sendable {
    package let pattern: TopicPattern
    package let registration: Registration
    /// Strong: a delivery already snapshotted or queued may outlive the plugin's removal from the
    /// manager, and must still be able to ask the owner whether it takes callbacks.
    package let owner: PluginInstance
    package let fn: bothost_bus_fn

    package init(pattern: TopicPattern, registration: Registration, owner: PluginInstance, fn: @escaping bothost_bus_fn) {
        self.pattern = pattern
        self.registration = registration
        self.owner = owner
        self.fn = fn
    }

    package var handle: UInt64 { registration.handle }
    package var executor: PluginExecutor { owner.executor }

    /// Called on the owner's executor.
    @inline(__always)
    package func deliver(_ message: BusMessage) {
        guard registration.isActive, owner.acceptsCallbacks else { return }
        CurrentBusMessage.with(message) {
            call(message)
        }
    }

    @inline(__always)
    private func call(_ message: BusMessage) {
        fn(registration.userData, registration.handle,
           bothost_str(ptr: UnsafeRawPointer(message.topic.baseAddress)?.assumingMemoryBound(to: CChar.self), len: message.topic.count),
           bothost_bytes(ptr: message.payload.baseAddress, len: message.payload.count))
    }
}

extension BusMessage {
    /// The publisher's name as a C slice, valid as long as the message.
    package var publisher: bothost_str {
        let name = publisherBytes
        return bothost_str(ptr: UnsafeRawPointer(name.baseAddress)?.assumingMemoryBound(to: CChar.self), len: name.count)
    }
}

/// The message a bus callback on this thread is delivering, for `bus_message_info`.
package enum CurrentBusMessage {
    private final class Slot { var message: BusMessage? }

    private static let slots = ThreadSlot { Slot() }
    private static var slot: Slot { slots.current }

    /// Runs `body` with `message` as the current one.
    @inline(__always)
    package static func with<R>(_ message: BusMessage, _ body: () -> R) -> R {
        let slot = slot
        let previous = slot.message
        slot.message = message
        defer { slot.message = previous }
        return body()
    }

    package static var current: BusMessage? { slot.message }
}
