import Foundation
import GRDB

/// Why a storage call failed. The host maps each case to a status code for plugins.
public enum StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The key is empty, longer than `PluginStore.maxKeyBytes` or contains a NUL byte.
    case invalidKey(String)
    /// The value is larger than `PluginStore.maxValueBytes`.
    case tooLarge(String)
    /// SQLite or the file system failed (disk full, read-only folder, corrupt file …).
    case io(String)

    public var description: String {
        switch self {
        case .invalidKey(let detail): "invalid key: \(detail)"
        case .tooLarge(let detail): "value too large: \(detail)"
        case .io(let detail): "storage I/O error: \(detail)"
        }
    }
}

/// One plugin's durable key-value namespace. Keys are UTF-8 text compared byte for byte; values
/// are bytes. Every write has committed (and survives `kill -9`) when the call returns.
public struct PluginStore: Sendable {
    public static let maxKeyBytes = 512
    public static let maxValueBytes = 4 * 1024 * 1024

    /// Fixed at construction: every query below is bound to it, so a plugin cannot name another.
    public let namespace: String
    package let database: HostDatabase

    package init(namespace: String, database: HostDatabase) {
        self.namespace = namespace
        self.database = database
    }

    public func get(_ key: String) throws(StorageError) -> [UInt8]? {
        try Self.check(key: key)
        let namespace = self.namespace
        return try database.read { db in
            try Row.fetchOne(db, sql: "SELECT value FROM plugin_kv WHERE namespace = ? AND key = ?",
                             arguments: [namespace, key])
                .map { row in Array(row[0] as Data? ?? Data()) }
        }
    }

    public func set(_ key: String, _ value: [UInt8]) throws(StorageError) {
        try Self.check(key: key)
        try Self.check(value: value)
        let namespace = self.namespace
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try database.write { db in
            // An empty Data binds as SQL NULL; ifnull keeps it an empty blob for the NOT NULL column.
            try db.execute(sql: """
                INSERT OR REPLACE INTO plugin_kv (namespace, key, value, updated_at)
                VALUES (?, ?, ifnull(?, x''), ?)
                """, arguments: [namespace, key, Data(value), now])
        }
    }

    /// Deleting an absent key is not an error.
    public func delete(_ key: String) throws(StorageError) {
        try Self.check(key: key)
        let namespace = self.namespace
        try database.write { db in
            try db.execute(sql: "DELETE FROM plugin_kv WHERE namespace = ? AND key = ?", arguments: [namespace, key])
        }
    }

    /// Visits every key that starts with `prefix` (byte for byte; `%` and `_` are ordinary
    /// characters), in key order. `visit` returns false to stop.
    ///
    /// Rows are read in pages and visited outside any database transaction, so `visit` may call
    /// back into storage (even write) without deadlocking; a key written during the listing may or
    /// may not be visited.
    public func list(prefix: String, _ visit: (String, [UInt8]) throws -> Bool) throws {
        guard !prefix.utf8.contains(0) else { throw StorageError.invalidKey("the prefix contains a NUL byte") }
        // A prefix longer than any key matches nothing.
        guard prefix.utf8.count <= Self.maxKeyBytes else { return }
        let upper = Self.upperBound(ofPrefix: prefix)
        var after: String? = nil
        while true {
            let page = try readPage(prefix: prefix, upper: upper, after: after)
            for (key, value) in page {
                guard try visit(key, value) else { return }
            }
            guard page.count == Self.pageRows, let last = page.last else { return }
            after = last.0
        }
    }

    // MARK: paging

    private static let pageRows = 64

    /// Reads up to `pageRows` entries with keys in [prefix, upper) after `after`, in key order.
    private func readPage(prefix: String, upper: String?, after: String?) throws(StorageError) -> [(String, [UInt8])] {
        let namespace = self.namespace
        var sql = "SELECT key, value FROM plugin_kv WHERE namespace = ?"
        var arguments: StatementArguments = [namespace]
        // A range on the primary key instead of LIKE: no wildcard escaping, and it uses the index.
        if let after {
            sql += " AND key > ?"
            arguments += [after]
        } else {
            sql += " AND key >= ?"
            arguments += [prefix]
        }
        if let upper {
            sql += " AND key < ?"
            arguments += [upper]
        }
        sql += " ORDER BY key LIMIT \(Self.pageRows)"
        let query = sql
        let bound = arguments
        return try database.read { db in
            try Row.fetchAll(db, sql: query, arguments: bound).compactMap { row in
                guard let key = row[0] as String? else { return nil }
                // Belt and braces: only exact byte prefixes (Swift's hasPrefix compares Unicode
                // canonical equivalence, SQLite compares bytes).
                guard key.utf8.starts(with: prefix.utf8) else { return nil }
                return (key, Array(row[1] as Data? ?? Data()))
            }
        }
    }

    /// The smallest string greater than every string that starts with `prefix`: the prefix with
    /// its last scalar incremented (UTF-8 byte order equals scalar order). nil when there is none
    /// (empty prefix, or only U+10FFFF scalars).
    package static func upperBound(ofPrefix prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }  // skip the surrogate range
            if let scalar = Unicode.Scalar(next) {
                scalars.append(scalar)
                var result = String.UnicodeScalarView()
                result.append(contentsOf: scalars)
                return String(result)
            }
        }
        return nil
    }

    // MARK: limits

    package static func check(key: String) throws(StorageError) {
        let bytes = key.utf8.count
        guard bytes > 0 else { throw StorageError.invalidKey("the key is empty") }
        guard bytes <= maxKeyBytes else {
            throw StorageError.invalidKey("the key is \(bytes) bytes; keys are at most \(maxKeyBytes) bytes of UTF-8")
        }
        guard !key.utf8.contains(0) else { throw StorageError.invalidKey("the key contains a NUL byte") }
    }

    package static func check(value: [UInt8]) throws(StorageError) {
        guard value.count <= maxValueBytes else {
            throw StorageError.tooLarge("\(value.count) bytes; values are at most \(maxValueBytes) bytes (4 MiB)")
        }
    }
}
