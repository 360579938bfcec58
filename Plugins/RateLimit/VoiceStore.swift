import Foundation
import PluginKit

/// Voice usage in the plugin's durable storage, one key per ledger entry ("voice.<key>" → JSON
/// `VoiceUsage`). Every change is written at once (the host commits before returning), so a restart
/// or a crash never hands out a fresh quota. A write that fails is remembered and written again by
/// `flush` — on the cleanup timer and by the cleanup hook when the plugin stops.
struct VoiceStore {
    static let prefix = "voice."
    let storage: Storage
    let log: Log
    /// Ledger keys whose last write or delete failed: storage may not show their usage.
    private(set) var unsaved: Set<String> = []

    init(storage: Storage, log: Log) {
        self.storage = storage
        self.log = log
    }

    /// Every stored record; unreadable ones are reported and skipped.
    func load() throws -> [(key: String, usage: VoiceUsage)] {
        try storage.list(prefix: Self.prefix).compactMap { entry in
            let key = String(entry.key.dropFirst(Self.prefix.count))
            guard let usage = try? JSONDecoder().decode(VoiceUsage.self, from: Data(entry.value)) else {
                log.warning("ignoring unreadable voice usage record \(entry.key)")
                return nil
            }
            return (key, usage)
        }
    }

    mutating func save(_ key: String, _ usage: VoiceUsage) {
        do {
            try storage.set(Self.prefix + key, usage)
            unsaved.remove(key)
        } catch {
            // The usage still counts in memory; `flush` writes it again.
            unsaved.insert(key)
            log.error("could not persist voice usage of \(key): \(error); will retry")
        }
    }

    mutating func delete(_ key: String) {
        do {
            try storage.delete(Self.prefix + key)
            unsaved.remove(key)
        } catch {
            unsaved.insert(key)
            log.error("could not delete voice usage of \(key): \(error); will retry")
        }
    }

    /// Writes again what failed to be written: each key as the ledger has it now (or its deletion).
    mutating func flush(_ ledger: VoiceLedger) {
        for key in unsaved.sorted() {
            if let usage = ledger.entries[key] { save(key, usage) } else { delete(key) }
        }
    }
}
