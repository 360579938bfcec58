import Foundation
import GRDB

/// The host's SQLite database: per-plugin key-value namespaces and the host's own records.
///
/// Durability: the database runs in WAL mode with `synchronous=NORMAL`. Every write is its own
/// transaction that commits before the call returns; with WAL a committed transaction is in the
/// log file once `write()` returns, so it survives a process crash or `kill -9`. (Only a power
/// loss or OS crash can roll back the last few commits under NORMAL; FULL would fsync on every
/// commit for that, at a large cost per write.)
public final class HostDatabase: Sendable {
    /// The file's path, or ":memory:" for `inMemory()`.
    public let path: String
    package let writer: any DatabaseWriter

    /// Opens (creating if needed) `<directory>/bothost.sqlite`. The directory is created with mode
    /// 0700 when missing: plugin state may hold tokens or user data.
    public init(directory: String) throws(StorageError) {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("bothost.sqlite").path
        self.path = path
        try Self.makeDirectory(directory)
        do {
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Self.migrator.migrate(pool)
            writer = pool
        } catch {
            throw StorageError.io("""
                cannot open the database at \(path): \(Self.describe(error)). \
                Fix: make sure \(directory) is a writable folder (or choose another with \
                "dataDirectory" in plugins.json or --data-dir)
                """)
        }
    }

    private init(path: String, writer: any DatabaseWriter) {
        self.path = path
        self.writer = writer
    }

    /// A private in-memory database, for tests. Same schema, same behaviour, nothing on disk.
    public static func inMemory() throws(StorageError) -> HostDatabase {
        do {
            let queue = try DatabaseQueue(configuration: configuration())
            try migrator.migrate(queue)
            return HostDatabase(path: ":memory:", writer: queue)
        } catch {
            throw StorageError.io("cannot create an in-memory database: \(describe(error))")
        }
    }

    /// The key-value namespace of one plugin. The namespace cannot be changed afterwards, so a
    /// plugin holding this store can never reach another plugin's keys.
    public func store(for namespace: String) -> PluginStore {
        PluginStore(namespace: namespace, database: self)
    }

    /// The host's own records (command-set hash, gateway session ids).
    public var records: HostRecords { HostRecords(database: self) }

    // MARK: internals shared by the stores

    /// Runs a write transaction; it has committed when this returns.
    package func write<T>(_ body: @Sendable (Database) throws -> T) throws(StorageError) -> T {
        do { return try writer.write(body) } catch { throw StorageError.io(Self.describe(error)) }
    }

    package func read<T>(_ body: @Sendable (Database) throws -> T) throws(StorageError) -> T {
        do { return try writer.read(body) } catch { throw StorageError.io(Self.describe(error)) }
    }

    /// The value of a PRAGMA such as `journal_mode` on the writer connection, for diagnostics
    /// and tests.
    package func pragma(_ name: String) throws(StorageError) -> String? {
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        do {
            return try writer.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
        } catch {
            throw StorageError.io(Self.describe(error))
        }
    }

    private static func configuration() -> Configuration {
        var config = Configuration()
        config.label = "bothost"
        // Another process (an operator's sqlite3 shell, a second host by mistake) may hold the
        // write lock briefly; wait for it rather than failing at once.
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            // Safe against process crashes in WAL mode; see the type's comment.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return config
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-kv-and-records") { db in
            try db.execute(sql: """
                CREATE TABLE plugin_kv (
                    namespace TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value BLOB NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (namespace, key)
                ) WITHOUT ROWID;
                CREATE TABLE host_record (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    private static func makeDirectory(_ directory: String) throws(StorageError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StorageError.io("the data directory \(directory) is a file, not a folder. Fix: remove it or choose another \"dataDirectory\"")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StorageError.io("cannot create the data directory \(directory): \(error.localizedDescription). Fix: create it yourself or choose a writable \"dataDirectory\"")
        }
    }

    package static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error.resultCode)")"
        }
        return "\(error)"
    }
}
