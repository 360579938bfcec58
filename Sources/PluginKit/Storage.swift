/// The plugin's own durable key-value namespace (SQLite in the host). Writes are committed when the
/// call returns. These are the only host calls that touch the disk; they take microseconds.
public struct Storage: Sendable {
    let host: PluginHost

    /// The value of `key`, or nil when absent.
    public func get(_ key: String) throws -> [UInt8]? {
        let storageGet = try host.table.require(\.storage_get, "storage_get")
        var buffer = bothost_buffer()
        let status = withStr(key) { storageGet(host.plugin, $0, &buffer) }
        if status == StatusCode.notFound.rawValue { return nil }
        try host.check(status, "storage get \(key)")
        defer { host.release(buffer) }
        return host.bytes(of: buffer)
    }

    /// Writes `value` under `key`.
    public func set(_ key: String, _ value: [UInt8]) throws {
        let storageSet = try host.table.require(\.storage_set, "storage_set")
        let status = withStr(key) { key in withBytes(value) { storageSet(host.plugin, key, $0) } }
        try host.check(status, "storage set \(key)")
    }

    /// Deletes `key` (an absent key is fine).
    public func delete(_ key: String) throws {
        let storageDelete = try host.table.require(\.storage_delete, "storage_delete")
        try host.check(withStr(key) { storageDelete(host.plugin, $0) }, "storage delete \(key)")
    }

    /// Every entry whose key starts with `prefix` (empty: all), in key order.
    public func list(prefix: String = "") throws -> [StorageEntry] {
        let storageList = try host.table.require(\.storage_list, "storage_list")
        let collector = EntryCollector()
        let status = withExtendedLifetime(collector) {
            withStr(prefix) { storageList(host.plugin, $0, collectEntry, Unmanaged.passUnretained(collector).toOpaque()) }
        }
        try host.check(status, "storage list \(prefix)")
        return collector.entries
    }

    /// The JSON value of `key` decoded as `T`, or nil when absent.
    public func get<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
        guard let bytes = try get(key) else { return nil }
        return try JSON.decode(T.self, from: bytes, what: "storage key \(key)")
    }

    /// Writes `value` as JSON under `key` (bytes as they are).
    public func set<T: Encodable>(_ key: String, _ value: T) throws {
        // Bytes are stored as they are, even when overload resolution lands a [UInt8] here:
        // encoding them as a JSON array of numbers would hand back something else on read.
        if let bytes = value as? [UInt8] { return try set(key, bytes) }
        try set(key, try JSON.encode(value))
    }
}

/// One stored key and its value.
public struct StorageEntry: Sendable {
    public let key: String
    public let value: [UInt8]
}

/// Gathers a synchronous listing (valid only during the call, so no user_data_free is involved).
private final class EntryCollector {
    var entries: [StorageEntry] = []
}

private func collectEntry(_ userData: UnsafeMutableRawPointer?, _ key: bothost_str, _ value: bothost_bytes) -> Int32 {
    guard let userData else { return 1 }
    Unmanaged<EntryCollector>.fromOpaque(userData).takeUnretainedValue()
        .entries.append(StorageEntry(key: String(key), value: Array(value)))
    return 0
}
