import Foundation
import PluginKit

/// Voice usage in the plugin's durable storage, one key per ledger entry ("voice.<key>" → JSON
/// `VoiceUsage`). Every change is written at once (the host commits before returning), so a restart
/// or a crash never hands out a fresh quota.
struct VoiceStore {
    static let prefix = "voice."
    let storage: Storage
    let log: Log

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

    func save(_ key: String, _ usage: VoiceUsage) {
        do {
            try storage.set(Self.prefix + key, usage)
        } catch {
            // The usage still counts in memory; only a restart before the next write would lose it.
            log.error("could not persist voice usage of \(key): \(error)")
        }
    }

    func delete(_ key: String) {
        do {
            try storage.delete(Self.prefix + key)
        } catch {
            log.error("could not delete voice usage of \(key): \(error)")
        }
    }
}
