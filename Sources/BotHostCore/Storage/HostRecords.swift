import Foundation
import GRDB

/// The host's own durable records (command-set hash, gateway session ids for resume), kept apart
/// from every plugin namespace in their own table. Writes commit before returning.
public struct HostRecords: Sendable {
    package let database: HostDatabase

    public func get(_ key: String) throws(StorageError) -> [UInt8]? {
        try PluginStore.check(key: key)
        return try database.read { db in
            try Row.fetchOne(db, sql: "SELECT value FROM host_record WHERE key = ?", arguments: [key])
                .map { row in Array(row[0] as Data? ?? Data()) }
        }
    }

    public func set(_ key: String, _ value: [UInt8]) throws(StorageError) {
        try PluginStore.check(key: key)
        try PluginStore.check(value: value)
        try database.write { db in
            // An empty Data binds as SQL NULL; ifnull keeps it an empty blob.
            try db.execute(sql: "INSERT OR REPLACE INTO host_record (key, value) VALUES (?, ifnull(?, x''))",
                           arguments: [key, Data(value)])
        }
    }

    /// Deleting an absent record is not an error.
    public func delete(_ key: String) throws(StorageError) {
        try PluginStore.check(key: key)
        try database.write { db in
            try db.execute(sql: "DELETE FROM host_record WHERE key = ?", arguments: [key])
        }
    }
}
