import Foundation
import GameSessionsCore
import PluginKit

/// The plugin's records in its durable storage (SQLite in the host; a write is committed when the
/// call returns):
///
///     session|<source>|<session id>          → SessionRecord (the session, its look, first seen, end)
///     post|<channel>|<source>|s:<id> or p:<n> → PostRecord (message id, shown look, pending create)
///     watch|<source>                          → WatchList (channels added and removed at run time)
///     pages|<source>                          → SummaryPages (summary mode's session slots)
///
/// Source ids are [a-z0-9_-] and channels digits, so "|" separates safely; a session id, last in its
/// key, may contain anything.
struct SessionStore {
    let storage: Storage
    let log: Log

    // MARK: sessions

    func loadSessions(source: String) -> [SessionRecord] {
        entries(prefix: "session|\(source)|").compactMap { entry in
            decode(SessionRecord.self, entry)
        }
    }

    func save(source: String, _ record: SessionRecord) {
        write(sessionKey(source, record.session.id), record)
    }

    func deleteSession(source: String, id: String) {
        delete(sessionKey(source, id))
    }

    private func sessionKey(_ source: String, _ id: String) -> String { "session|\(source)|\(id)" }

    // MARK: posts

    /// Every post record: (channel, post, record).
    func loadPosts() -> [(channel: UInt64, post: PostID, record: PostRecord)] {
        entries(prefix: "post|").compactMap { entry in
            let parts = entry.key.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, let channel = UInt64(parts[1]), let key = PostKey(storageName: String(parts[3])),
                  let record = decode(PostRecord.self, entry) else {
                log.warning("ignoring unreadable post record \(entry.key)")
                return nil
            }
            return (channel, PostID(source: String(parts[2]), key: key), record)
        }
    }

    func save(channel: UInt64, _ post: PostID, _ record: PostRecord) {
        write(postKey(channel, post), record)
    }

    func deletePost(channel: UInt64, _ post: PostID) {
        delete(postKey(channel, post))
    }

    private func postKey(_ channel: UInt64, _ post: PostID) -> String {
        "post|\(channel)|\(post.source)|\(post.key.storageName)"
    }

    // MARK: watch lists and pages

    func loadWatchList(source: String) -> WatchList {
        read(WatchList.self, "watch|\(source)") ?? WatchList()
    }

    func save(source: String, _ watch: WatchList) {
        write("watch|\(source)", watch)
    }

    func loadPages(source: String) -> SummaryPages {
        read(SummaryPages.self, "pages|\(source)") ?? SummaryPages()
    }

    func save(source: String, _ pages: SummaryPages) {
        write("pages|\(source)", pages)
    }

    // MARK: plumbing

    private func entries(prefix: String) -> [StorageEntry] {
        do {
            return try storage.list(prefix: prefix)
        } catch {
            log.error("could not read stored \(prefix)* records: \(error)")
            return []
        }
    }

    private func read<T: Decodable>(_ type: T.Type, _ key: String) -> T? {
        do {
            return try storage.get(key, as: T.self)
        } catch {
            log.warning("ignoring unreadable record \(key): \(error)")
            return nil
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ entry: StorageEntry) -> T? {
        do {
            return try JSONDecoder().decode(T.self, from: Data(entry.value))
        } catch {
            log.warning("ignoring unreadable record \(entry.key): \(error)")
            return nil
        }
    }

    private func write<T: Encodable>(_ key: String, _ value: T) {
        do {
            try storage.set(key, value)
        } catch {
            // Memory still has it; only a restart before the next successful write would lose it.
            log.error("could not store \(key): \(error)")
        }
    }

    private func delete(_ key: String) {
        do {
            try storage.delete(key)
        } catch {
            log.error("could not delete \(key): \(error)")
        }
    }
}
