import Foundation
import PluginAPI

/// The per-thread detail behind `host->last_error()`, like errno: set by a failing host call, valid
/// until the next host call on the same thread.
package enum LastError {
    /// Owns the message bytes in stable memory, so the slice handed to C stays valid.
    private final class Slot {
        var storage: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        var length = 0

        func store(_ message: String) {
            let utf8 = Array(message.utf8)
            if utf8.count > capacity {
                storage?.deallocate()
                capacity = max(utf8.count, 128)
                storage = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
            }
            utf8.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { storage?.update(from: base, count: chars.count) }
                }
            }
            length = utf8.count
        }

        deinit { storage?.deallocate() }
    }

    private static let slots = ThreadSlot { Slot() }
    private static var slot: Slot { slots.current }

    package static func set(_ message: String) {
        slot.store(message)
    }

    package static func clear() {
        slot.length = 0
    }

    /// The current message as a slice into thread-owned memory.
    package static func current() -> bothost_str {
        let slot = slot
        return bothost_str(ptr: slot.storage, len: slot.length)
    }
}
