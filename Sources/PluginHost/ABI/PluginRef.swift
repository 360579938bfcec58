import PluginAPI

/// What a `bothost_plugin *` points at. It is never freed: a plugin that keeps its pointer after it
/// was stopped gets BOTHOST_E_STOPPED rather than a crash. The instance itself is released normally.
package final class PluginRef: @unchecked Sendable {
    package nonisolated(unsafe) weak var instance: PluginInstance?

    package init(_ instance: PluginInstance?) { self.instance = instance }

    /// The pointer of a plugin that has stopped: every call through it is refused.
    package static func stoppedPointer() -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(PluginRef(nil)).toOpaque())
    }

    /// A pointer for C. Retained forever on purpose (a few bytes per plugin start).
    package static func makePointer(for instance: PluginInstance) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(PluginRef(instance)).toOpaque())
    }

    package static func instance(_ pointer: OpaquePointer?) -> PluginInstance? {
        guard let pointer else { return nil }
        return Unmanaged<PluginRef>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue().instance
    }
}
