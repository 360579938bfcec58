import PluginKit
import VoiceSessionsCore

/// Voice time that could not be reported yet (RateLimit was not answering, or the plugin stopped
/// with sessions running), kept in the plugin's storage so that a restart does not lose it.
/// One key per user and guild: `usage.pending.<guild>.<user>` → milliseconds as text.
struct PendingUsage {
    static let prefix = "usage.pending."
    let storage: Storage
    let log: Log
    private var entries: [SessionKey: Int64] = [:]

    init(storage: Storage, log: Log) {
        self.storage = storage
        self.log = log
    }

    /// Reads what an earlier run left; unreadable records are reported and dropped.
    mutating func load() {
        do {
            for entry in try storage.list(prefix: Self.prefix) {
                let parts = entry.key.dropFirst(Self.prefix.count).split(separator: ".")
                guard parts.count == 2, let guild = UInt64(parts[0]), let user = UInt64(parts[1]),
                      let ms = Int64(String(decoding: entry.value, as: UTF8.self)), ms > 0 else {
                    log.warning("dropping unreadable pending voice time record \(entry.key)")
                    try? storage.delete(entry.key)
                    continue
                }
                entries[SessionKey(guildID: guild, userID: user), default: 0] += ms
            }
        } catch {
            log.error("could not read pending voice time: \(error)")
        }
    }

    mutating func add(_ durationMs: Int64, for key: SessionKey) {
        guard durationMs > 0 else { return }
        let total = entries[key, default: 0] + durationMs
        entries[key] = total
        do {
            try storage.set(Self.storageKey(key), Array(String(total).utf8))
        } catch {
            log.error("could not keep \(total) ms of voice time of \(key) for later: \(error)")
        }
    }

    /// Everything pending, removed from memory and storage (what fails to report is added again).
    mutating func takeAll() -> [(key: SessionKey, durationMs: Int64)] {
        let all = entries.sorted { $0.key < $1.key }.map { (key: $0.key, durationMs: $0.value) }
        entries.removeAll()
        for item in all {
            do {
                try storage.delete(Self.storageKey(item.key))
            } catch {
                log.warning("could not clear pending voice time of \(item.key): \(error)")
            }
        }
        return all
    }

    private static func storageKey(_ key: SessionKey) -> String {
        "\(prefix)\(key.guildID).\(key.userID)"
    }
}
