import Foundation

/// Scratch folders for tests, all inside one folder per test process that is removed when the
/// process exits, so a run leaves nothing behind in the temporary directory (runs used to leave
/// every plugin copy and data folder there: about 320 MB a run).
package enum TestScratch {
    private static let root: URL = {
        // Unique per run, not just per pid: a reused pid must not find an earlier run's files.
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("bothost-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { TestScratch.removeAll() }
        return url
    }()

    /// A fresh, empty folder for one use.
    package static func directory(_ label: String) -> URL {
        let url = root.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func removeAll() {
        try? FileManager.default.removeItem(at: root)
    }
}
