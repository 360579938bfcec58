import PluginAPI

/// What a `bothost_plugin *` points at. It is never freed: a plugin that keeps its pointer after it
/// was stopped gets BOTHOST_E_STOPPED rather than a crash. The instance itself is released normally.
package final class PluginRef: @unchecked Sendable {
    package nonisolated(unsafe) weak var instance: PluginInstance?

    package init(_ instance: PluginInstance) { self.instance = instance }

    /// A pointer for C. Retained forever on purpose (a few bytes per plugin start).
    package static func makePointer(for instance: PluginInstance) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(PluginRef(instance)).toOpaque())
    }

    package static func instance(_ pointer: OpaquePointer?) -> PluginInstance? {
        guard let pointer else { return nil }
        return Unmanaged<PluginRef>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue().instance
    }
}
