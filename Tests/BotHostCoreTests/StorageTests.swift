@testable import BotHostCore
import BotHostTestSupport
import Foundation
import Testing

private func scratchFolder() throws -> URL {
    TestScratch.directory("storage")
}

/// Collects every (key, value) a listing visits.
private func listAll(_ store: PluginStore, prefix: String) throws -> [String: [UInt8]] {
    var seen: [String: [UInt8]] = [:]
    try store.list(prefix: prefix) { key, value in
        seen[key] = value
        return true
    }
    return seen
}

private func listKeys(_ store: PluginStore, prefix: String) throws -> [String] {
    var keys: [String] = []
    try store.list(prefix: prefix) { key, _ in
        keys.append(key)
        return true
    }
    return keys
}

@Suite struct StorageTests {
    @Test func getSetDeleteRoundTrip() throws {
        let store = try HostDatabase(directory: scratchFolder().path).store(for: "demo")
        #expect(try store.get("k") == nil)
        try store.set("k", [1, 2, 3])
        #expect(try store.get("k") == [1, 2, 3])
        try store.set("k", [9])
        #expect(try store.get("k") == [9])
        try store.set("empty", [])
        #expect(try store.get("empty") == [])  // an empty value is a value, not "absent"
        try store.delete("k")
        #expect(try store.get("k") == nil)
        try store.delete("k")  // deleting an absent key is fine
        #expect(try store.get("empty") == [])
    }

    @Test func listVisitsPrefixInKeyOrderAndCanStop() throws {
        let store = try HostDatabase.inMemory().store(for: "demo")
        for key in ["user:2", "user:1", "user:10", "users", "team:1", "user"] {
            try store.set(key, Array(key.utf8))
        }
        #expect(try listKeys(store, prefix: "user:") == ["user:1", "user:10", "user:2"])
        #expect(try listKeys(store, prefix: "") == ["team:1", "user", "user:1", "user:10", "user:2", "users"])
        #expect(try listAll(store, prefix: "team")["team:1"] == Array("team:1".utf8))
        var visited: [String] = []
        try store.list(prefix: "user") { key, _ in
            visited.append(key)
            return visited.count < 2
        }
        #expect(visited == ["user", "user:1"])
    }

    @Test func listPagesThroughManyKeysAndAllowsWritesWhileVisiting() throws {
        let store = try HostDatabase(directory: scratchFolder().path).store(for: "bulk")
        for i in 0..<300 { try store.set(String(format: "item:%04d", i), [UInt8(i % 256)]) }
        var count = 0
        try store.list(prefix: "item:") { key, _ in
            count += 1
            try store.set("seen:" + key, [1])  // re-entering storage from the visitor must not deadlock
            return true
        }
        #expect(count == 300)
        #expect(try listKeys(store, prefix: "seen:").count == 300)
    }

    @Test func wildcardCharactersInPrefixesMatchLiterally() throws {
        let store = try HostDatabase.inMemory().store(for: "demo")
        for key in ["a%b", "axb", "a_c", "abc", "a\\d", "a\\\\e", "a%", "a"] {
            try store.set(key, [1])
        }
        #expect(try listKeys(store, prefix: "a%") == ["a%", "a%b"])
        #expect(try listKeys(store, prefix: "a_") == ["a_c"])
        #expect(try listKeys(store, prefix: "a\\") == ["a\\\\e", "a\\d"])
        #expect(try listKeys(store, prefix: "%") == [])
        #expect(try listKeys(store, prefix: "_") == [])
    }

    @Test func prefixesWithNonASCIIAndMaximalScalarsWork() throws {
        let store = try HostDatabase.inMemory().store(for: "demo")
        let top = "\u{10FFFF}"
        for key in ["é1", "é2", "f", "ê", top, top + "x", "z"] { try store.set(key, [1]) }
        #expect(try listKeys(store, prefix: "é") == ["é1", "é2"])
        #expect(try listKeys(store, prefix: top) == [top, top + "x"])
        #expect(PluginStore.upperBound(ofPrefix: "ab") == "ac")
        #expect(PluginStore.upperBound(ofPrefix: "a\u{D7FF}") == "a\u{E000}")
        #expect(PluginStore.upperBound(ofPrefix: "a" + top) == "b")
        #expect(PluginStore.upperBound(ofPrefix: "") == nil)
    }

    @Test func namespacesAreIsolated() throws {
        let database = try HostDatabase.inMemory()
        let alpha = database.store(for: "alpha")
        let beta = database.store(for: "beta")
        let alphaPrefix = database.store(for: "alph")
        try alpha.set("shared", [1])
        try beta.set("shared", [2])
        #expect(try alpha.get("shared") == [1])
        #expect(try beta.get("shared") == [2])
        #expect(try alphaPrefix.get("shared") == nil)
        #expect(try listKeys(alphaPrefix, prefix: "") == [])
        try beta.delete("shared")
        #expect(try alpha.get("shared") == [1])
        #expect(try listAll(alpha, prefix: "") == ["shared": [1]])
        // Host records live apart from every namespace.
        try database.records.set("shared", [3])
        #expect(try alpha.get("shared") == [1])
        #expect(try database.records.get("shared") == [3])
    }

    @Test func keyAndValueLimitsAreEnforced() throws {
        let store = try HostDatabase.inMemory().store(for: "demo")
        #expect(throws: StorageError.invalidKey("the key is empty")) { try store.set("", [1]) }
        let longest = String(repeating: "k", count: PluginStore.maxKeyBytes)
        try store.set(longest, [1])
        #expect(try store.get(longest) == [1])
        do {
            try store.set(longest + "k", [1])
            Issue.record("a 513-byte key must be refused")
        } catch {
            guard case .invalidKey(let detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(detail.contains("513"))
        }
        // The limit counts UTF-8 bytes: 257 two-byte characters are 514 bytes.
        #expect(throws: StorageError.self) { try store.get(String(repeating: "é", count: 257)) }
        #expect(throws: StorageError.self) { try store.set("a\u{0}b", [1]) }
        #expect(throws: StorageError.self) { try store.delete("") }

        let maximal = [UInt8](repeating: 7, count: PluginStore.maxValueBytes)
        try store.set("big", maximal)
        #expect(try store.get("big")?.count == PluginStore.maxValueBytes)
        do {
            try store.set("bigger", maximal + [0])
            Issue.record("a value over 4 MiB must be refused")
        } catch {
            guard case .tooLarge = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("4 MiB"))
        }
        #expect(try store.get("bigger") == nil)
    }

    @Test func writesPersistAcrossReopening() throws {
        let folder = try scratchFolder().appendingPathComponent("nested/data")
        do {
            let database = try HostDatabase(directory: folder.path)
            try database.store(for: "p").set("survives", Array("yes".utf8))
            try database.store(for: "p").set("deleted", [1])
            try database.store(for: "p").delete("deleted")
            try database.records.set("commands.hash", [0xAB])
            // Committed on return: a second connection (as another process would) sees it at once.
            let observer = try HostDatabase(directory: folder.path)
            #expect(try observer.store(for: "p").get("survives") == Array("yes".utf8))
        }
        // The folder was created private to the user.
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let reopened = try HostDatabase(directory: folder.path)
        #expect(try reopened.store(for: "p").get("survives") == Array("yes".utf8))
        #expect(try reopened.store(for: "p").get("deleted") == nil)
        #expect(try reopened.records.get("commands.hash") == [0xAB])
        try reopened.records.delete("commands.hash")
        #expect(try reopened.records.get("commands.hash") == nil)
    }

    @Test func openingAnUnusablePathNamesIt() throws {
        let file = try scratchFolder().appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: file)
        do {
            _ = try HostDatabase(directory: file.path)
            Issue.record("a file in place of the data directory must be refused")
        } catch {
            #expect(error.description.contains(file.path))
        }
        if getuid() != 0 {  // root ignores permissions
            let locked = try scratchFolder().appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o500])
            do {
                _ = try HostDatabase(directory: locked.path)
                Issue.record("a read-only data directory must be refused")
            } catch {
                #expect(error.description.contains(locked.appendingPathComponent("bothost.sqlite").path))
            }
        }
    }

    @Test func databaseRunsInWALWithNormalSync() throws {
        let database = try HostDatabase(directory: scratchFolder().path)
        #expect(try database.pragma("journal_mode") == "wal")
        #expect(try database.pragma("synchronous") == "1")  // NORMAL
        #expect(try database.pragma("busy_timeout") == "5000")
    }
}
