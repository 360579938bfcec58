import BotHostCore
import PluginAPI

extension HostAPI {
    package static func installStorage(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.config_get = apiConfigGet
        table.pointee.storage_get = apiStorageGet
        table.pointee.storage_set = apiStorageSet
        table.pointee.storage_delete = apiStorageDelete
        table.pointee.storage_list = apiStorageList
    }
}

private func apiConfigGet(_ plugin: OpaquePointer?, _ out: UnsafeMutablePointer<bothost_buffer>?) -> bothost_status {
    hostCall(plugin) { instance throws(HostCallError) in
        guard let out else { throw HostCallError(Status.invalidArgument, "config_get needs an output buffer") }
        out.pointee = makeBuffer(Array(instance.configJSON.utf8))
    }
}

/// Runs a storage operation, mapping storage failures to status codes.
private func storageCall(_ plugin: OpaquePointer?, _ body: (PluginStore) throws -> Void) -> bothost_status {
    hostCall(plugin) { instance throws(HostCallError) in
        do {
            try body(instance.store)
        } catch let error as HostCallError {
            throw error
        } catch {
            throw HostCallError(storageStatus(error), "storage: \(error)")
        }
    }
}

private func apiStorageGet(_ plugin: OpaquePointer?, _ key: bothost_str, _ out: UnsafeMutablePointer<bothost_buffer>?) -> bothost_status {
    storageCall(plugin) { store in
        guard let out else { throw HostCallError(Status.invalidArgument, "storage_get needs an output buffer") }
        let keyText = try key.string("key")
        guard let value = try store.get(keyText) else {
            throw HostCallError(Status.notFound, "no value stored under \"\(keyText)\"")
        }
        out.pointee = makeBuffer(value)
    }
}

private func apiStorageSet(_ plugin: OpaquePointer?, _ key: bothost_str, _ value: bothost_bytes) -> bothost_status {
    storageCall(plugin) { store in
        try store.set(try key.string("key"), value.array)
    }
}

private func apiStorageDelete(_ plugin: OpaquePointer?, _ key: bothost_str) -> bothost_status {
    storageCall(plugin) { store in
        try store.delete(try key.string("key"))
    }
}

private func apiStorageList(_ plugin: OpaquePointer?, _ prefix: bothost_str, _ visit: bothost_storage_visit_fn?,
                            _ userData: UnsafeMutableRawPointer?) -> bothost_status {
    storageCall(plugin) { store in
        guard let visit else { throw HostCallError(Status.invalidArgument, "storage_list needs a visit function") }
        try store.list(prefix: try prefix.string("prefix")) { key, value in
            withCStr(key) { keyStr in
                withCBytes(value) { visit(userData, keyStr, $0) == 0 }
            }
        }
    }
}

/// Storage failures as status codes: bad keys are the plugin's mistake, sizes have a code of their
/// own, and anything else is an I/O failure of the host's database.
private func storageStatus(_ error: any Error) -> bothost_status {
    switch error as? StorageError {
    case .invalidKey?: Status.invalidArgument
    case .tooLarge?: Status.tooLarge
    case .io?, nil: Status.io
    }
}
