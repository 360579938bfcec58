/// The host's function table as this plugin may use it.
///
/// Rule 3 of the ABI: a slot exists only if the host's `struct_size` covers it (BOTHOST_API_HAS).
/// `offsetof` macros do not import into Swift, so `require` checks with `MemoryLayout.offset(of:)`.
/// The table is also copied `min(struct_size, sizeof)` into zeroed memory, so no read ever goes past
/// what an older host provided.
struct HostTable: @unchecked Sendable {  // immutable copy of C function pointers
    let api: bothost_host_api
    let size: Int

    init(_ pointer: UnsafePointer<bothost_host_api>) {
        var copy = bothost_host_api()
        let count = min(Int(pointer.pointee.struct_size), MemoryLayout<bothost_host_api>.size)
        withUnsafeMutableBytes(of: &copy) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count))
        }
        api = copy
        size = count
    }

    /// True when the host's table contains `slot` and it is not NULL.
    func has<F>(_ slot: KeyPath<bothost_host_api, F?>) -> Bool {
        guard let offset = MemoryLayout<bothost_host_api>.offset(of: slot) else { return false }
        return size >= offset + MemoryLayout<F?>.size && api[keyPath: slot] != nil
    }

    /// The slot's function, or `.unsupported` naming the slot.
    func require<F>(_ slot: KeyPath<bothost_host_api, F?>, _ name: String) throws -> F {
        guard has(slot), let function = api[keyPath: slot] else {
            throw PluginError(.unsupported, "this host (ABI \(api.abi_major).\(api.abi_minor)) has no \(name)")
        }
        return function
    }

    /// `host->last_error()` as a String ("" when the host has none).
    func lastError() -> String {
        guard has(\.last_error), let lastError = api.last_error else { return "" }
        return String(lastError())
    }

    /// Best-effort log line (used where there is no one to throw to).
    func log(_ plugin: OpaquePointer?, _ level: LogLevel, _ message: String) {
        guard has(\.log), let log = api.log else { return }
        withStr(message) { log(plugin, level.rawValue, $0) }
    }
}
