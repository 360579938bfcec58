import GameSessionsCore
import PluginKit

/// From a poll's changes to storage, bus events and the posts that need a Discord call.
extension GameSessionsPlugin {
    func apply(_ changes: SessionChanges, source id: String, feedOrder: [String]) {
        guard var source = sources[id] else { return }
        var finishedEnding: [String] = []
        for event in changes.events {
            switch event {
            case .started(let sessionID):
                guard let tracked = source.book[sessionID] else { continue }
                source.ending[sessionID] = nil  // back after leaving: its old message is reused
                store.save(source: id, SessionRecord(tracked))
                publish("gamesessions.session.started", SessionEventJSON.payload(source: id, tracked))
            case .updated(let sessionID):
                guard let tracked = source.book[sessionID] else { continue }
                store.save(source: id, SessionRecord(tracked))
                publish("gamesessions.session.updated", SessionEventJSON.payload(source: id, tracked))
            case .ended(let tracked, let endedAtMs):
                source.ending[tracked.id] = (tracked, endedAtMs)
                store.save(source: id, SessionRecord(tracked, endedAtMs: endedAtMs))
                publish("gamesessions.session.ended", SessionEventJSON.payload(source: id, tracked, endedAtMs: endedAtMs))
                finishedEnding.append(tracked.id)
            }
        }
        var touched: [(UInt64, PostID)] = []
        switch source.config.mode {
        case .sessions:
            for event in changes.events {
                for channel in source.channels {
                    touched.append((channel, PostID(source: id, key: .session(event.id))))
                }
            }
        case .summary:
            // Feed order; sessions listed but unreadable this time keep their slots.
            var live = feedOrder.filter { source.book[$0] != nil }
            let listed = Set(live)
            live += source.book.ids.filter { !listed.contains($0) }.sorted()
            var pages = source.pages.sync(live: live)
            for event in changes.events {
                if let page = source.pages.page(of: event.id) { pages.insert(page) }
            }
            if !pages.isEmpty { store.save(source: id, source.pages) }
            // Ended sessions left their page in `sync`; the pages that changed are re-rendered.
            for page in pages.sorted() {
                for channel in source.channels { touched.append((channel, PostID(source: id, key: .page(page)))) }
            }
        }
        sources[id] = source
        for (channel, post) in touched { mark(post, in: channel) }
        // An ended session with no message anywhere has nothing left to show.
        for sessionID in finishedEnding { finishEndingIfShown(source: id, session: sessionID) }
        for channel in Set(touched.map(\.0)) { pump(channel) }
    }

    /// After the first poll since start: every restored post whose message may not show its latest
    /// look gets a turn (a create that was cut short, an edit that never happened, a channel
    /// watched while down), and sessions posted nowhere yet are posted.
    func settle(_ id: String) {
        guard let source = sources[id] else { return }
        var touched = Set<UInt64>()
        for channel in source.channels {
            switch source.config.mode {
            case .sessions:
                for sessionID in source.book.ids.sorted() {
                    mark(PostID(source: id, key: .session(sessionID)), in: channel)
                }
            case .summary:
                for page in source.pages.pages.indices { mark(PostID(source: id, key: .page(page)), in: channel) }
            }
            touched.insert(channel)
        }
        for (channel, lane) in lanes {
            for post in lane.records.keys where post.source == id {
                mark(post, in: channel)
                touched.insert(channel)
            }
        }
        for sessionID in Array(source.ending.keys) { finishEndingIfShown(source: id, session: sessionID) }
        for channel in touched.sorted() { pump(channel) }
    }

    /// Forgets an ended session once no channel holds a message for it any more.
    func finishEndingIfShown(source id: String, session sessionID: String) {
        guard sources[id]?.ending[sessionID] != nil else { return }
        let post = PostID(source: id, key: .session(sessionID))
        guard !lanes.values.contains(where: { $0.records[post] != nil }) else { return }
        sources[id]?.ending[sessionID] = nil
        store.deleteSession(source: id, id: sessionID)
    }
}
