import PluginKit
import PluginSupport
import VoiceSessionsCore

/// Starting, watching, ending and cleaning up sessions.
extension VoiceSessionsPlugin {
    /// Records the session, starts its audio pipeline and announces it (`voice.session.started`).
    func startSession(_ key: SessionKey, voiceChannel: UInt64, textChannel: UInt64,
                      settings: AudioSettings) throws -> VoiceSession {
        let session = try book.start(key, voiceChannel: voiceChannel, textChannel: textChannel, settings: settings)
        do {
            pipelines[key] = try SessionPipeline.start(for: session, plugin: self)
        } catch {
            book.remove(key)
            throw error
        }
        publish("voice.session.started", SessionEventJSON.started(session))
        host.log.info("session started: \(key) in channel \(voiceChannel)")
        return session
    }

    /// Every `monitorInterval`: ends sessions idle past the timeout and reports voice time.
    func monitorTick() {
        let report = book.monitorTick()
        for ended in report.timedOut { sessionEnded(ended) }
        for usage in report.usage { reportUsage(usage.durationMs, for: usage.key) }
        flushPendingUsage()
    }

    /// Ends a session (if active) for `reason`; its cleanup follows after `cleanupDelay`.
    func endSession(_ key: SessionKey, reason: EndReason) {
        guard let ended = book.end(key, reason: reason) else { return }
        sessionEnded(ended)
    }

    /// Ends every active session in `guild`.
    func endSessions(inGuild guild: UInt64, reason: EndReason) {
        for session in book.sessions(inGuild: guild) where session.isActive {
            endSession(session.key, reason: reason)
        }
    }

    private func sessionEnded(_ ended: EndedSession) {
        let session = ended.session
        host.log.info("session ended (\(ended.reason.rawValue)): \(session.key)")
        if ended.reason == .timeout {
            publish("voice.session.timeout", SessionEventJSON.timeout(session, timeoutMs: config.timing.sessionTimeoutMs))
            notify(session, "<@\(session.key.userID)>, your voice session ended after "
                   + "\(DurationText.compact(milliseconds: config.timing.sessionTimeoutMs)) without activity.")
        }
        reportUsage(ended.unreportedMs, for: session.key)
        scheduleCleanup(session.key)
    }

    private func scheduleCleanup(_ key: SessionKey) {
        let delay = config.timing.cleanupDelayMs
        guard delay > 0, !isStopping else {
            cleanUp(key)
            return
        }
        do {
            cleanupTimers[key] = try host.timers.after(.milliseconds(delay)) { self.cleanUp(key) }
        } catch {
            host.log.warning("could not delay the cleanup of \(key) (\(error)); cleaning up now")
            cleanUp(key)
        }
    }

    /// Cleans up an ended session, in order and forced to the end (see `SessionCleanupPlan`); then
    /// publishes `voice.session.cleanup_error` if a step failed, and `voice.session.ended`.
    func cleanUp(_ key: SessionKey) {
        cleanupTimers.removeValue(forKey: key)?.cancel()
        guard let session = book.session(key), case .ending(let reason) = session.phase else { return }
        let pipeline = pipelines[key]
        let guild = key.guildID
        let plan = SessionCleanupPlan(
            stopConsumers: { pipeline?.stopConsumers() },
            stopProducers: { try self.stopProducers(of: session) },
            releasePipeline: { try pipeline?.release() },
            leaveChannel: voiceNeeded(inGuild: guild, besides: key) ? nil : { try self.leaveVoice(guild) },
            removeSession: {
                self.book.remove(key)
                self.pipelines[key] = nil
            })
        let report = plan.run()
        if !report.isClean {
            host.log.error("cleanup of \(key) finished with errors: \(report.failures.map(\.description).joined(separator: "; "))")
            publish("voice.session.cleanup_error", SessionEventJSON.cleanupError(session, failures: report.failures))
        }
        publish("voice.session.ended", SessionEventJSON.ended(session, reason: reason, recording: pipeline?.recordingPath,
                                                              cleanupErrors: report.failures.count))
    }

    /// Stops what the session sends: its playback, or the echo of its user.
    private func stopProducers(of session: VoiceSession) throws {
        let guild = session.key.guildID
        if let player = players[guild], player.owner == session.key {
            players[guild] = nil
            player.stop()
            try host.voice.stopSending(guild: guild)
        } else if session.settings.echo, players[guild] == nil, host.voice.isAvailable {
            try host.voice.stopSending(guild: guild)
        }
    }

    /// Whether the guild's voice is still needed without `key`: by another session, or by a join in
    /// progress (the plugin holds a guild's voice once, so leaving would drop that join's hold too).
    func voiceNeeded(inGuild guild: UInt64, besides key: SessionKey) -> Bool {
        !book.isLastInGuild(key) || joining.keys.contains { $0.guildID == guild && $0 != key }
    }

    /// Releases this plugin's hold on the guild's voice. A hold that is already gone (the bot was
    /// disconnected) is what the step wants, not a failure.
    private func leaveVoice(_ guild: UInt64) throws {
        do {
            try host.voice.leave(guild: guild)
        } catch let error as PluginError where error.code == .notFound {
            host.log.debug("voice of guild \(guild) was already released: \(error.message)")
        }
    }
}
