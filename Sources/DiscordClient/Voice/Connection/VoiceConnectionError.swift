/// What went wrong joining or keeping a voice connection, phrased for an operator or a plugin
/// author. None of these ever carries the voice token.
public enum VoiceConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// READY has not arrived yet, so the bot's own user id (which voice needs) is unknown.
    case gatewayNotReady
    case joinInProgress(guildID: UInt64)
    /// Discord did not complete the join in time; `waitingFor` says which step was missing.
    case joinTimedOut(guildID: UInt64, channelID: UInt64, waitingFor: String)
    /// `leave` (or the host stopping) ended a join before it completed.
    case joinAbandoned(guildID: UInt64)
    /// The session ended before it ever connected.
    indirect case sessionEnded(VoiceDisconnectReason)
    case noCommonEncryptionMode(offered: [String], note: String?)
    /// Close 4016: the server did not accept the encryption mode sent in Select Protocol.
    case unknownEncryptionMode
    /// Close 4017: the voice server did not accept the end-to-end encryption (DAVE) this host
    /// offered in Identify (none, or a protocol version it no longer supports).
    case endToEndEncryptionRefused
    /// Close 4004: the voice token or session was refused.
    case authenticationFailed
    /// Another close code after which retrying cannot help.
    case rejected(code: Int, message: String)
    case ipDiscoveryFailed(String)
    case invalidServerMessage(String)
    case invalidEndpoint(String)
    case reconnectFailed(attempts: Int, lastProblem: String)
    /// The session has ended; nothing can be sent on it any more.
    case sessionClosed

    public var description: String {
        switch self {
        case .gatewayNotReady:
            "voice needs the gateway to be ready (READY tells the host its own user id); start the Discord connection first"
        case .joinInProgress(let guild):
            "a voice join for guild \(guild) is already in progress; wait for it to finish"
        case .joinTimedOut(let guild, let channel, let step):
            "joining voice channel \(channel) in guild \(guild) timed out waiting for \(step). Check that the bot can see and connect to the channel (View Channel and Connect permissions) and that the GUILD_VOICE_STATES intent is enabled"
        case .joinAbandoned(let guild):
            "the voice join for guild \(guild) was abandoned (left or shut down before it completed)"
        case .sessionEnded(let reason):
            "the voice session ended before it connected: \(reason)"
        case .noCommonEncryptionMode(let offered, let note):
            "the voice server offers no encryption mode this host supports (offered: \(offered.joined(separator: ", ")); supported: \(VoiceEncryptionMode.allCases.map(\.rawValue).joined(separator: ", ")))" + (note.map { "; \($0)" } ?? "")
        case .unknownEncryptionMode:
            "the voice server refused the selected encryption mode (close 4016)"
        case .endToEndEncryptionRefused:
            "the voice server refused the end-to-end encryption (DAVE) protocol version this host offered (close 4017)"
        case .authenticationFailed:
            "the voice server refused the session's token (close 4004)"
        case .rejected(let code, let message):
            "the voice server closed the connection with \(code): \(message)"
        case .ipDiscoveryFailed(let detail):
            "UDP IP discovery failed: \(detail)"
        case .invalidServerMessage(let detail):
            "the voice server sent an unusable message: \(detail)"
        case .invalidEndpoint(let detail):
            "the voice server endpoint cannot be used: \(detail)"
        case .reconnectFailed(let attempts, let problem):
            "the voice connection could not be re-established after \(attempts) attempts (last problem: \(problem))"
        case .sessionClosed:
            "the voice session has ended"
        }
    }
}
