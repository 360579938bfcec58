/// Every voice session, with the activity and timeout decisions, on an injected clock (the host's,
/// so tests drive time by hand).
///
/// A session is `active` from `start` until `end`, then `ending` until `remove` (after its cleanup).
/// Activity only counts while it is active. The monitor (`monitorTick`, called every
/// `monitorInterval`) ends sessions idle for longer than `sessionTimeout` — strictly longer, as the
/// seed's `now - lastActivity > timeout` — so an idle session lasts at most timeout + interval.
public struct SessionBook {
    /// Changed live by a config edit: a running session's timeout is always its last activity plus
    /// the timeout in force, so a new timeout applies to it at once (and never ends it by itself:
    /// only the next monitor tick does, if it is then idle for longer).
    public var timing: SessionTiming
    private let clock: @Sendable () -> Int64
    public private(set) var sessions: [SessionKey: VoiceSession] = [:]

    public init(timing: SessionTiming, clock: @escaping @Sendable () -> Int64) {
        self.timing = timing
        self.clock = clock
    }

    public func session(_ key: SessionKey) -> VoiceSession? { sessions[key] }

    /// Sessions in `guild` (active and ending), oldest first.
    public func sessions(inGuild guild: UInt64) -> [VoiceSession] {
        sessions.values.filter { $0.key.guildID == guild }.sorted { ($0.startedAtMs, $0.key) < ($1.startedAtMs, $1.key) }
    }

    /// Active sessions, oldest first.
    public var active: [VoiceSession] {
        sessions.values.filter(\.isActive).sorted { ($0.startedAtMs, $0.key) < ($1.startedAtMs, $1.key) }
    }

    /// The voice channel this plugin's sessions use in `guild`, if any (the bot is in one channel
    /// per guild).
    public func channel(inGuild guild: UInt64) -> UInt64? {
        sessions(inGuild: guild).first?.voiceChannelID
    }

    /// Starts a session now. Refuses a second session for the same user and guild, and a session in
    /// another channel than the one the guild's sessions already use.
    @discardableResult
    public mutating func start(_ key: SessionKey, voiceChannel: UInt64, textChannel: UInt64,
                               settings: AudioSettings) throws(SessionConflict) -> VoiceSession {
        if let existing = sessions[key] {
            throw existing.isActive ? .alreadyActive(existing) : .stillEnding(existing)
        }
        if let other = sessions(inGuild: key.guildID).first(where: { $0.voiceChannelID != voiceChannel }) {
            throw .otherChannel(other)
        }
        let session = VoiceSession(key: key, voiceChannelID: voiceChannel, textChannelID: textChannel,
                                   settings: settings, startedAtMs: clock())
        sessions[key] = session
        return session
    }

    /// The user spoke or used a session command: their timeout starts over. False when the user has
    /// no active session.
    @discardableResult
    public mutating func recordActivity(_ key: SessionKey) -> Bool {
        guard var session = sessions[key], session.isActive else { return false }
        session.lastActivityMs = max(session.lastActivityMs, clock())
        sessions[key] = session
        return true
    }

    /// When an active session times out if nothing happens: after this instant the next monitor
    /// tick ends it.
    public func timeoutDeadlineMs(_ key: SessionKey) -> Int64? {
        guard let session = sessions[key], session.isActive else { return nil }
        return session.lastActivityMs + timing.sessionTimeoutMs
    }

    /// Whether the session has been idle for longer than the timeout.
    public func isTimedOut(_ key: SessionKey) -> Bool {
        guard let deadline = timeoutDeadlineMs(key) else { return false }
        return clock() > deadline
    }

    /// One monitor check: ends the sessions that timed out (they become `ending(.timeout)`) and
    /// hands out the voice time of every session still active since the last report.
    public mutating func monitorTick() -> MonitorReport {
        var report = MonitorReport()
        for session in active {
            if isTimedOut(session.key), let ended = end(session.key, reason: .timeout) {
                report.timedOut.append(ended)
            } else if let usage = takeUsage(session.key), usage.durationMs > 0 {
                report.usage.append(usage)
            }
        }
        return report
    }

    /// Ends an active session now (it becomes `ending`); returns it with its unreported voice time.
    /// Nil when the user has no active session.
    public mutating func end(_ key: SessionKey, reason: EndReason) -> EndedSession? {
        guard var session = sessions[key], session.isActive else { return nil }
        let now = clock()
        session.phase = .ending(reason)
        session.endedAtMs = now
        let unreported = max(0, now - session.reportedUntilMs)
        session.reportedUntilMs = max(session.reportedUntilMs, now)
        sessions[key] = session
        return EndedSession(session: session, reason: reason, unreportedMs: unreported)
    }

    /// Voice time of an active session since its last report, marked as reported.
    public mutating func takeUsage(_ key: SessionKey) -> UsageReport? {
        guard var session = sessions[key], session.isActive else { return nil }
        let now = clock()
        let duration = max(0, now - session.reportedUntilMs)
        session.reportedUntilMs = max(session.reportedUntilMs, now)
        sessions[key] = session
        return UsageReport(key: key, durationMs: duration)
    }

    /// Whether `key` is the only session (active or ending) left in its guild: then its cleanup
    /// releases the guild's voice.
    public func isLastInGuild(_ key: SessionKey) -> Bool {
        !sessions.keys.contains { $0.guildID == key.guildID && $0 != key }
    }

    /// Forgets a session (the last step of its cleanup).
    @discardableResult
    public mutating func remove(_ key: SessionKey) -> VoiceSession? {
        sessions.removeValue(forKey: key)
    }
}

/// Why a session could not start.
public enum SessionConflict: Error, Sendable, Equatable {
    case alreadyActive(VoiceSession)
    /// The user's previous session ended and is waiting for its cleanup.
    case stillEnding(VoiceSession)
    /// The guild's sessions use another voice channel; the bot is in one channel per guild.
    case otherChannel(VoiceSession)
}

/// A session that just ended.
public struct EndedSession: Sendable, Equatable {
    public let session: VoiceSession
    public let reason: EndReason
    /// Voice time since the last report, to report now.
    public let unreportedMs: Int64

    public init(session: VoiceSession, reason: EndReason, unreportedMs: Int64) {
        self.session = session
        self.reason = reason
        self.unreportedMs = unreportedMs
    }
}

/// Voice time to report for one session.
public struct UsageReport: Sendable, Equatable {
    public let key: SessionKey
    public let durationMs: Int64

    public init(key: SessionKey, durationMs: Int64) {
        self.key = key
        self.durationMs = durationMs
    }
}

/// What one monitor check found.
public struct MonitorReport: Sendable, Equatable {
    public var timedOut: [EndedSession] = []
    public var usage: [UsageReport] = []

    public init(timedOut: [EndedSession] = [], usage: [UsageReport] = []) {
        self.timedOut = timedOut
        self.usage = usage
    }
}
