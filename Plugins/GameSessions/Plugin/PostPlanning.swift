import GameSessionsCore
import PluginKit

/// What a post should show in a channel, and which call (if any) gets it there. Deciding has no
/// side effects: the lane first checks its budget, then prepares and sends.
extension GameSessionsPlugin {
    enum DesiredLook {
        /// The post follows a live session or page and is edited as it changes.
        case live(RenderedPost)
        /// The post's last look (ended, or no longer tracked here); the record goes once it shows.
        case final(RenderedPost)
    }

    struct PostCall: Sendable {
        enum Kind: Sendable {
            case create
            case edit(messageID: UInt64)
            /// Removes a message that a fresh post replaced (it could no longer be edited).
            case delete(messageID: UInt64)
        }

        let channel: UInt64
        let post: PostID
        let kind: Kind
        let look: RenderedPost?

        var method: String {
            switch kind {
            case .create: "POST"
            case .edit: "PATCH"
            case .delete: "DELETE"
            }
        }

        var path: String {
            switch kind {
            case .create: "/channels/\(channel)/messages"
            case .edit(let id), .delete(let id): "/channels/\(channel)/messages/\(id)"
            }
        }
    }

    enum Decision {
        case nothing
        /// Drop the record without a call (the message stays as it is, or there never was one).
        case forget
        case call(PostCall)
    }

    func desiredLook(_ post: PostID, in channel: UInt64) -> DesiredLook? {
        guard let source = sources[post.source] else { return nil }
        let following = source.channels.contains(channel)
        switch post.key {
        case .session(let sessionID):
            if following && source.config.mode == .sessions {
                if let tracked = source.book[sessionID] {
                    return .live(source.book.render(tracked.session, firstSeenMs: tracked.firstSeenMs))
                }
                if let ending = source.ending[sessionID] {
                    let context = SessionEmbed.Context(sourceName: source.config.name, firstSeenMs: ending.tracked.firstSeenMs)
                    return .final(RenderedPost(json: SessionEmbed.ended(ending.tracked.session, context, endedAtMs: ending.endedAtMs)))
                }
                return nil
            }
            // A channel that stopped following the source, or a source now in summary mode.
            guard let tracked = source.book[sessionID] ?? source.ending[sessionID]?.tracked else { return nil }
            let context = SessionEmbed.Context(sourceName: source.config.name, firstSeenMs: tracked.firstSeenMs)
            return .final(RenderedPost(json: SessionEmbed.stopped(tracked.session, context)))
        case .page(let page):
            guard source.config.mode == .summary, source.pages.pages.indices.contains(page) else { return nil }
            guard following else { return .final(RenderedPost(json: SummaryEmbed.stopped(page: page, sourceName: source.config.name))) }
            let members = source.pages.pages[page].compactMap { source.book[$0] }
            return .live(RenderedPost(json: SummaryEmbed.render(page: page, sessions: members, sourceName: source.config.name)))
        }
    }

    func decide(_ post: PostID, in channel: UInt64) -> Decision {
        let record = lanes[channel]?.records[post]
        guard let desired = desiredLook(post, in: channel) else { return record == nil ? .nothing : .forget }
        switch desired {
        case .final(let look):
            guard let record else { return .nothing }
            if let messageID = record.messageID {
                if record.shownHash == look.hash || record.rejectedHash == look.hash {
                    return record.replacing.map { .call(PostCall(channel: channel, post: post, kind: .delete(messageID: $0), look: nil)) }
                        ?? .forget
                }
                return .call(PostCall(channel: channel, post: post, kind: .edit(messageID: messageID), look: look))
            }
            // A create that may have reached Discord is repeated under its nonce: Discord answers
            // with the message it made, which then gets the final look. Otherwise nothing was shown.
            // A message that could no longer be edited is replaced by a fresh one showing the end.
            guard record.pendingSinceMs != nil || record.replacing != nil else { return .forget }
            return .call(PostCall(channel: channel, post: post, kind: .create, look: look))
        case .live(let look):
            if let record, let messageID = record.messageID {
                if record.shownHash == look.hash || record.rejectedHash == look.hash {
                    return record.replacing.map { .call(PostCall(channel: channel, post: post, kind: .delete(messageID: $0), look: nil)) }
                        ?? .nothing
                }
                return .call(PostCall(channel: channel, post: post, kind: .edit(messageID: messageID), look: look))
            }
            if record?.rejectedHash == look.hash { return .nothing }
            return .call(PostCall(channel: channel, post: post, kind: .create, look: look))
        }
    }

    /// When the post's session was first seen: part of its create nonce (0 for summary pages).
    func anchor(of post: PostID) -> Int64 {
        guard case .session(let sessionID) = post.key, let source = sources[post.source] else { return 0 }
        return source.book[sessionID]?.firstSeenMs ?? source.ending[sessionID]?.tracked.firstSeenMs ?? 0
    }
}
