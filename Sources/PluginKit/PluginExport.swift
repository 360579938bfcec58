import Foundation
import Synchronization

/// The C side of a Swift plugin: the descriptor and the fixed `@convention(c)` lifecycle functions.
///
/// C function pointers cannot capture a generic type, so `entry` records the plugin type in a
/// module-global (each plugin .so links its own PluginKit, so there is exactly one per library).
public enum PluginExport {
    /// Call this from the library's exported entry point:
    ///
    ///     @_cdecl("bothost_plugin_entry")
    ///     public func entry(_ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
    ///         PluginExport.entry(Greeter.self, api)
    ///     }
    ///
    /// It only records the host table and the type and returns the descriptor (built once, never
    /// freed); the host also calls it just to inspect a library, so nothing else happens here. ABI
    /// versions are the host's to check: the descriptor carries the major this plugin was built
    /// with and the lowest minor it requires (`PluginManifest.requiredABIMinor`).
    public static func entry<P: Plugin>(_ type: P.Type, _ api: UnsafePointer<bothost_host_api>?) -> UnsafePointer<bothost_plugin_descriptor>? {
        LibraryState.shared.withLock { state in
            if let api { state.api = api }
            state.pluginType = type
            if state.descriptor == nil { state.descriptor = makeDescriptor(P.manifest) }
            return state.descriptor
        }
    }

    /// The descriptor, in memory that lives as long as the process (the host keeps the pointer).
    private static func makeDescriptor(_ manifest: PluginManifest) -> UnsafePointer<bothost_plugin_descriptor> {
        let descriptor = UnsafeMutablePointer<bothost_plugin_descriptor>.allocate(capacity: 1)
        descriptor.initialize(to: bothost_plugin_descriptor())
        descriptor.pointee.struct_size = UInt32(MemoryLayout<bothost_plugin_descriptor>.size)
        descriptor.pointee.abi_major = UInt32(BOTHOST_ABI_MAJOR)
        descriptor.pointee.abi_minor = manifest.requiredABIMinor
        descriptor.pointee.name = permanentCString(manifest.name)
        descriptor.pointee.version = permanentCString(manifest.version)
        descriptor.pointee.description = permanentCString(manifest.description)
        descriptor.pointee.gateway_intents = manifest.intents.rawValue
        descriptor.pointee.`init` = pluginInit
        descriptor.pointee.start = pluginStart
        descriptor.pointee.stop = pluginStop
        descriptor.pointee.config_changed = pluginConfigChanged
        descriptor.pointee.owned_names = permanentCStringList(manifest.ownedNames)
        return UnsafePointer(descriptor)
    }

    /// A NULL-terminated array of permanent copies (nil for none), as `owned_names` wants it.
    private static func permanentCStringList(_ strings: [String]) -> UnsafePointer<UnsafePointer<CChar>?>? {
        guard !strings.isEmpty else { return nil }
        let list = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { (list + index).initialize(to: permanentCString(string)) }
        (list + strings.count).initialize(to: nil)
        return UnsafePointer(list)
    }

    /// A NUL-terminated copy that is never freed.
    private static func permanentCString(_ string: String) -> UnsafePointer<CChar>? {
        strdup(string).map { UnsafePointer($0) }
    }
}

/// What this library remembers between the host's calls.
struct LibraryState: @unchecked Sendable {  // pointers to process-lifetime memory, guarded by the Mutex
    static let shared = Mutex(LibraryState())

    /// The host's table, from the latest entry call (valid for the life of the process).
    var api: UnsafePointer<bothost_host_api>?
    var pluginType: (any Plugin.Type)?
    var descriptor: UnsafePointer<bothost_plugin_descriptor>?
    /// The latest refusal reason, kept alive until the host has copied it (it does so on return).
    var reason: UnsafeMutablePointer<CChar>?
}
