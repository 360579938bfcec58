import GameSessionsCore
import PluginKit

/// Polling a source: fetch through the host's HTTP call with the source's timeout, parse, diff.
/// A failed poll changes no session; only a list the feed really returned can end one.
extension GameSessionsPlugin {
    /// Starts a poll unless one is already running for the source.
    func poll(_ id: String) {
        guard !isStopping, let source = sources[id], !source.polling else { return }
        sources[id]?.polling = true
        let config = source.config
        spawn { plugin in
            let result = await plugin.fetch(config)
            plugin.pollFinished(id, result)
        }
    }

    /// Polls now and waits for the outcome (the poll in progress, if there is one).
    func pollNow(_ id: String) async -> PollReport {
        await withCheckedContinuation { continuation in
            guard !isStopping, sources[id] != nil else {
                var report = PollReport(source: id)
                report.failure = .transport("the plugin is stopping")
                continuation.resume(returning: report)
                return
            }
            sources[id]?.waiters.append(continuation)
            poll(id)
        }
    }

    /// `gamesessions.poll`: {"source": "<id>"} polls one source now; anything else polls them all.
    func pollRequested(_ message: BusMessage) {
        let wanted = (try? FeedJSONParser.parse(message.payload))?["source"]?.stringValue
        for source in config.sources where wanted == nil || wanted == source.id {
            poll(source.id)
        }
    }

    func fetch(_ config: SourceConfig) async -> Result<FeedSnapshot, PollFailure> {
        let request = HTTPRequest(
            url: config.url,
            headers: [HTTPHeader("Accept", "application/json"), HTTPHeader("User-Agent", "BotHost-GameSessions/1.0")],
            timeout: .milliseconds(config.timeoutMs), maxBodyBytes: config.maxBytes)
        let response: HTTPResponse
        do {
            response = try await host.http.send(request)
        } catch let error as PluginError {
            switch error.code {
            case .timeout: return .failure(.timeout(ms: config.timeoutMs))
            case .tooLarge: return .failure(.transport("the feed is larger than maxBytes (\(config.maxBytes) bytes)"))
            default: return .failure(.transport(error.message))
            }
        } catch {
            return .failure(.transport("\(error)"))
        }
        guard (200..<300).contains(response.status) else { return .failure(.httpStatus(response.status)) }
        do {
            return .success(try FeedParser.parse(response.body, format: config.format, nowMs: host.nowMilliseconds))
        } catch {
            return .failure(error)
        }
    }

    func pollFinished(_ id: String, _ result: Result<FeedSnapshot, PollFailure>) {
        guard !isStopping, var source = sources[id] else { return }
        let now = host.nowMilliseconds
        source.polling = false
        source.lastPollMs = now
        var report = PollReport(source: id)
        var changes: SessionChanges?
        var order: [String] = []
        switch result {
        case .failure(let failure):
            source.consecutiveFailures += 1
            report.failure = failure
            report.sessions = source.book.count
            reportFailure(source, failure)
        case .success(let snapshot):
            let recovered = source.isFailing
            source.consecutiveFailures = 0
            let applied = source.book.apply(snapshot.sessions, stillListed: snapshot.stillListed, filter: source.config.filter, nowMs: now)
            changes = applied
            order = snapshot.sessions.map(\.id)
            report.sessions = source.book.count
            report.started = applied.started
            report.updated = applied.updated
            report.ended = applied.ended
            report.silent = applied.silent
            report.filteredOut = applied.filteredOut
            report.skipped = snapshot.skipped
            report.skipNotes = snapshot.skipNotes
            // Logged when what is skipped changes, not on every poll of the same junk.
            let previous = source.lastReport
            if snapshot.skipped > 0 && (previous?.skipped != snapshot.skipped || previous?.skipNotes != snapshot.skipNotes) {
                host.log.warning("\(id): skipped \(snapshot.skipped) malformed entr\(snapshot.skipped == 1 ? "y" : "ies"): "
                                 + snapshot.skipNotes.joined(separator: "; "))
            }
            if recovered { reportRecovery(source) }
        }
        report.consecutiveFailures = source.consecutiveFailures
        source.lastReport = report
        let waiters = source.waiters
        source.waiters.removeAll()
        let firstPoll = !source.settled
        source.settled = true
        sources[id] = source

        if let changes { apply(changes, source: id, feedOrder: order) }
        if firstPoll { settle(id) }
        publish("gamesessions.polled", report.json)
        for waiter in waiters { waiter.resume(returning: report) }
    }

    /// Every failure is logged; the one that reaches the threshold also publishes a status event
    /// (once per outage: later failures are logged at debug level).
    private func reportFailure(_ source: SourceState, _ failure: PollFailure) {
        let count = source.consecutiveFailures
        let threshold = source.config.failureThreshold
        if count < threshold {
            host.log.warning("\(source.id): poll failed (\(count) in a row): \(failure); sessions stay as they are")
        } else if count == threshold {
            host.log.error("\(source.id): \(count) polls in a row failed, latest: \(failure); sessions stay as they are "
                           + "until the feed answers again")
            publish("gamesessions.status", statusJSON(source, state: "failing", failure: failure))
        } else {
            host.log.debug("\(source.id): poll failed (\(count) in a row): \(failure)")
        }
    }

    private func reportRecovery(_ source: SourceState) {
        host.log.info("\(source.id): the feed answers again")
        publish("gamesessions.status", statusJSON(source, state: "recovered", failure: nil))
    }

    /// {"source": "…", "state": "failing" | "recovered", "consecutiveFailures": N, "error": "…", "kind": "…"}
    private func statusJSON(_ source: SourceState, state: String, failure: PollFailure?) -> [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writer.raw("{")
        writer.member("source", source.id, first: true)
        writer.member("state", state)
        writer.member("consecutiveFailures", integer: source.consecutiveFailures)
        if let failure {
            writer.member("error", failure.description)
            writer.member("kind", failure.kind)
        }
        writer.raw("}")
        return writer.bytes
    }

    func publish(_ topic: String, _ payload: [UInt8]) {
        do {
            try host.bus.publish(topic, payload)
        } catch {
            host.log.warning("could not publish \(topic): \(error)")
        }
    }
}
