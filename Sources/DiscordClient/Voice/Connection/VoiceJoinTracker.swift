/// What a voice session needs from the main gateway to identify on a voice server.
package struct VoiceCredentials: Equatable, Sendable, CustomStringConvertible {
    /// The main gateway session's id, from the bot's own VOICE_STATE_UPDATE.
    package var sessionID: String
    /// From VOICE_SERVER_UPDATE; secret, never logged.
    package var token: String
    /// host[:port], from VOICE_SERVER_UPDATE.
    package var endpoint: String

    package init(sessionID: String, token: String, endpoint: String) {
        self.sessionID = sessionID
        self.token = token
        self.endpoint = endpoint
    }

    package var description: String { "session \(sessionID) on \(endpoint)" }
}

/// One guild's voice state as the main gateway reports it, turned into what the voice session
/// must do. Pure: fed the bot's own VOICE_STATE_UPDATEs and the guild's VOICE_SERVER_UPDATEs in
/// whatever order Discord sends them.
///
/// - A session starts once both the bot's state in the requested channel (session_id) and a
///   server with an endpoint are known.
/// - A null endpoint means the voice server is being reallocated: suspend and wait for the next.
/// - A new VOICE_SERVER_UPDATE (new token or endpoint, as after a move) means a new voice session;
///   the same one again (a replay) changes nothing. A new session_id alone only updates what the
///   next identify or resume uses: the server update that usually accompanies it does the restart,
///   whichever order the two arrive in.
/// - The bot's state without a channel ends a running session; before the session started it is
///   a leftover of an earlier leave and is ignored.
package struct VoiceJoinTracker: Equatable {
    package enum Step: Equatable {
        /// Start the voice session on these credentials, or restart it if one runs.
        case connect(VoiceCredentials)
        /// Keep the running session, but identify or resume with these from now on.
        case update(VoiceCredentials)
        /// The voice server is being reallocated: drop the connection and wait.
        case suspend
        /// The bot is now in another channel of the guild.
        case moved(channelID: UInt64)
        /// Discord says the bot is in no voice channel of the guild any more.
        case ended
    }

    private struct ServerGrant: Equatable {
        var token: String
        var endpoint: String
    }

    package let guildID: UInt64
    /// The channel the host asked for last.
    package private(set) var targetChannelID: UInt64
    /// The channel Discord last reported the bot in.
    package private(set) var channelID: UInt64?
    package private(set) var sessionID: String?
    private var server: ServerGrant?
    private var sawNullEndpoint = false
    /// Whether a session was ever started for this join.
    package private(set) var started = false
    /// The credentials the running session uses; nil before the start and while suspended.
    package private(set) var credentials: VoiceCredentials?

    package init(guildID: UInt64, channelID: UInt64) {
        self.guildID = guildID
        targetChannelID = channelID
    }

    /// A later join to another channel of the same guild (a move the host asked for).
    package mutating func request(channelID: UInt64) {
        targetChannelID = channelID
    }

    package var isInTargetChannel: Bool { channelID == targetChannelID }

    package mutating func voiceState(channelID newChannel: UInt64?, sessionID newSession: String) -> [Step] {
        guard let newChannel else {
            guard started else { return [] }
            channelID = nil
            credentials = nil
            return [.ended]
        }
        let previous = channelID
        channelID = newChannel
        sessionID = newSession
        var steps: [Step] = []
        if started, let previous, previous != newChannel { steps.append(.moved(channelID: newChannel)) }
        guard started else { return steps + connectIfReady() }
        if var current = credentials, current.sessionID != newSession {
            current.sessionID = newSession
            credentials = current
            steps.append(.update(current))
        }
        return steps
    }

    package mutating func voiceServer(token: String, endpoint: String?) -> [Step] {
        guard let endpoint else {
            server = nil
            sawNullEndpoint = true
            guard started, credentials != nil else { return [] }
            credentials = nil
            return [.suspend]
        }
        server = ServerGrant(token: token, endpoint: endpoint)
        return connectIfReady()
    }

    private mutating func connectIfReady() -> [Step] {
        guard let sessionID, let server, let channelID else { return [] }
        // A fresh join waits for the state of the channel it asked for, not a stale one.
        if !started, channelID != targetChannelID { return [] }
        let next = VoiceCredentials(sessionID: sessionID, token: server.token, endpoint: server.endpoint)
        guard next != credentials else { return [] }
        credentials = next
        started = true
        return [.connect(next)]
    }

    /// For a join that timed out: the main-gateway step that never came.
    package var missingStep: String? {
        let haveState = isInTargetChannel && sessionID != nil
        let serverStep = sawNullEndpoint
            ? "a VOICE_SERVER_UPDATE with an endpoint (Discord was still allocating a voice server)"
            : "VOICE_SERVER_UPDATE"
        switch (haveState, server != nil) {
        case (false, false): return "the bot's VOICE_STATE_UPDATE in channel \(targetChannelID) and \(serverStep)"
        case (false, true): return "the bot's VOICE_STATE_UPDATE in channel \(targetChannelID)"
        case (true, false): return serverStep
        case (true, true): return nil
        }
    }
}
