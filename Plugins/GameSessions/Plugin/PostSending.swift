import GameSessionsCore
import PluginKit

/// The lanes at work: one call per channel at a time, within the channel's budget; a post's look
/// is decided when its turn comes, so it is always the latest.
extension GameSessionsPlugin {
    func mark(_ post: PostID, in channel: UInt64) {
        lanes[channel, default: ChannelLane(budget: config.pacing)].outbox.mark(post)
    }

    /// Sends the next call of a channel, if it is free, not paused and within budget.
    func pump(_ channel: UInt64) {
        guard !isStopping, let lane = lanes[channel], lane.inFlight == nil else { return }
        let now = host.nowMilliseconds
        if lane.pausedUntilMs > now {
            scheduleWake(channel, afterMs: lane.pausedUntilMs - now)
            return
        }
        while let post = lanes[channel]?.outbox.next() {
            switch decide(post, in: channel) {
            case .nothing:
                continue
            case .forget:
                forget(post, in: channel)
            case .call(let call):
                let wait = max(lanes[channel]?.budget.waitMs(nowMs: now) ?? 0, totalBudget.waitMs(nowMs: now))
                guard wait == 0 else {
                    lanes[channel]?.outbox.markFirst(post)
                    scheduleWake(channel, afterMs: wait)
                    return
                }
                lanes[channel]?.budget.spend(nowMs: now)
                totalBudget.spend(nowMs: now)
                lanes[channel]?.inFlight = post
                send(prepare(call, now: now))
                return
            }
        }
    }

    private func scheduleWake(_ channel: UInt64, afterMs: Int64) {
        guard lanes[channel]?.wake == nil else { return }
        do {
            lanes[channel]?.wake = try host.timers.after(.milliseconds(max(1, afterMs))) {
                self.lanes[channel]?.wake = nil
                self.pump(channel)
            }
        } catch {
            host.log.error("could not schedule the next Discord call for channel \(channel): \(error)")
        }
    }

    /// Stores what must survive a crash before the call goes out: for a create, that it may reach
    /// Discord and under which nonce.
    private func prepare(_ call: PostCall, now: Int64) -> (PostCall, body: [UInt8]?) {
        guard case .create = call.kind, let look = call.look else { return (call, call.look?.editBody()) }
        var record = lanes[call.channel]?.records[call.post] ?? PostRecord(anchorMs: anchor(of: call.post))
        if record.pendingSinceMs == nil {
            record.pendingSinceMs = now
            record.pendingHash = look.hash
        } else if record.pendingHash != look.hash {
            record.pendingHash = 0  // earlier tries carried another look: which one Discord kept is unknown
        }
        save(record, call.post, in: call.channel)
        let nonce = PostNonce.make(source: call.post.source, channel: call.channel, key: call.post.key,
                                   anchorMs: record.anchorMs, attempt: record.attempt)
        return (call, look.createBody(nonce: nonce))
    }

    private func send(_ prepared: (PostCall, body: [UInt8]?)) {
        let (call, body) = prepared
        spawn { plugin in
            let result: Result<DiscordAPIResponse, PluginError>
            do {
                result = .success(try await plugin.host.discord.request(call.method, call.path, json: body))
            } catch let error as PluginError {
                result = .failure(error)
            } catch {
                result = .failure(PluginError(.internalError, "\(error)"))
            }
            plugin.callFinished(call, result)
        }
    }

    func callFinished(_ call: PostCall, _ result: Result<DiscordAPIResponse, PluginError>) {
        guard !isStopping else { return }
        lanes[call.channel]?.inFlight = nil
        let outcome: DiscordOutcome
        switch result {
        case .success(let response):
            outcome = DiscordOutcome.classify(status: response.status, body: response.body)
        case .failure(let error):
            switch error.code {
            case .invalidArgument:
                outcome = .rejected(error.message)
            case .unsupported:
                // No Discord connection yet: the host connects after it starts its plugins.
                host.log.debug("no Discord connection yet for channel \(call.channel): \(error.message)")
                backOff(call.channel, retrying: call.post, problem: nil)
                pump(call.channel)
                return
            default:
                outcome = .serverTrouble("\(error.code): \(error.message)")
            }
        }
        handle(outcome, of: call)
        pump(call.channel)
    }

    private func handle(_ outcome: DiscordOutcome, of call: PostCall) {
        let channel = call.channel
        let post = call.post
        var record = lanes[channel]?.records[post] ?? PostRecord(anchorMs: anchor(of: post))
        switch (outcome, call.kind) {
        case (.done(let messageID?), .create):
            record.messageID = messageID
            record.shownHash = record.pendingHash ?? 0
            record.pendingSinceMs = nil
            record.pendingHash = nil
            record.rejectedHash = nil
            succeeded(channel)
        case (.done, .edit):
            record.shownHash = call.look?.hash ?? 0
            record.rejectedHash = nil
            succeeded(channel)
        case (.done, .delete), (.unknownMessage, .delete):
            record.replacing = nil
            succeeded(channel)
        case (.unknownMessage, .edit):
            host.log.info("the message of \(post) in channel \(channel) was deleted; posting a fresh one if it is still live")
            record.messageID = nil
            record.shownHash = 0
            record.attempt += 1
            record.pendingSinceMs = nil
            record.pendingHash = nil
            succeeded(channel)
        case (.tooOldToEdit, .edit(let messageID)):
            host.log.info("the message of \(post) in channel \(channel) can no longer be edited (30046); replacing it with a fresh one")
            if let older = record.replacing, older != messageID {
                host.log.warning("message \(older) in channel \(channel) stays as it was: a newer message replaced it first")
            }
            record.replacing = messageID
            record.messageID = nil
            record.shownHash = 0
            record.attempt += 1
            record.pendingSinceMs = nil
            record.pendingHash = nil
            succeeded(channel)
        case (.rateLimited(let retryAfterMs), _):
            pause(channel, forMs: max(retryAfterMs, 250), retrying: post, problem: nil)
            return
        case (.serverTrouble(let detail), _):
            backOff(channel, retrying: post, problem: "Discord calls to channel \(channel) fail (\(detail)); retrying with backoff")
            return
        case (.channelUnavailable(let detail), _):
            pause(channel, forMs: 300_000, retrying: post,
                  problem: "cannot post in channel \(channel): \(detail); check that it exists and the bot may send messages there. Retrying every 5 minutes")
            return
        default:
            // A 400 (or an answer that makes no sense for the call): the same body would fail again.
            let detail = if case .rejected(let text) = outcome { text } else { "\(outcome)" }
            host.log.error("Discord refused the \(call.method) for \(post) in channel \(channel): \(detail)")
            switch call.kind {
            case .create:
                record.rejectedHash = call.look?.hash
                record.pendingSinceMs = nil
                record.pendingHash = nil
            case .edit:
                record.rejectedHash = call.look?.hash
            case .delete:
                record.replacing = nil
            }
        }
        save(record, post, in: channel)
        mark(post, in: channel)  // decides again: a newer look, the next step, or done
    }

    private func succeeded(_ channel: UInt64) {
        lanes[channel]?.failureStreak = 0
        lanes[channel]?.reportedProblem = nil
    }

    /// Pauses the lane 1 s, 2 s, 4 s … up to 60 s as failures repeat.
    private func backOff(_ channel: UInt64, retrying post: PostID, problem: String?) {
        let streak = (lanes[channel]?.failureStreak ?? 0) + 1
        lanes[channel]?.failureStreak = streak
        pause(channel, forMs: Int64(min(60_000, 1000 << min(streak - 1, 6))), retrying: post, problem: problem)
    }

    private func pause(_ channel: UInt64, forMs delay: Int64, retrying post: PostID, problem: String?) {
        lanes[channel]?.pausedUntilMs = host.nowMilliseconds + delay
        lanes[channel]?.outbox.markFirst(post)
        if let problem, lanes[channel]?.reportedProblem == nil {
            lanes[channel]?.reportedProblem = problem
            host.log.warning(problem)
        }
    }

    func save(_ record: PostRecord, _ post: PostID, in channel: UInt64) {
        // A source removed from the config while its call was on its way: stored for its return,
        // but not followed (a record without its source would be forgotten, and its storage with it).
        if sources[post.source] != nil {
            lanes[channel, default: ChannelLane(budget: config.pacing)].records[post] = record
        }
        store.save(channel: channel, post, record)
    }

    /// Drops a post's record; an ended session whose last message is done is forgotten with it.
    func forget(_ post: PostID, in channel: UInt64) {
        guard lanes[channel]?.records.removeValue(forKey: post) != nil else { return }
        store.deletePost(channel: channel, post)
        if case .session(let sessionID) = post.key { finishEndingIfShown(source: post.source, session: sessionID) }
        if let lane = lanes[channel], !lane.records.keys.contains(where: { $0.source == post.source }) {
            sources[post.source]?.retired.remove(channel)
        }
    }
}
