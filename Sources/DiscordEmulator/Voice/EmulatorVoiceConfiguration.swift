/// How the emulated voice servers behave.
public struct EmulatorVoiceConfiguration: Sendable {
    /// The `heartbeat_interval` voice Hello (op 8) hands out; Discord's is 13 750 ms.
    public var heartbeatIntervalMs = 13_750
    /// How long the voice server waits for a heartbeat (counted from the connection's start
    /// and from each heartbeat) before it closes with 4009. nil: twice the interval.
    public var heartbeatTimeoutMs: Int?
    /// Offer `aead_aes256_gcm_rtpsize` in Ready, when libsodium can do AES-GCM on this CPU.
    /// `aead_xchacha20_poly1305_rtpsize` is always offered.
    public var offersAES256GCM = true
    /// The highest DAVE (end-to-end encryption) protocol version the voice server speaks: 1, as
    /// Discord; 0 keeps every call on transport encryption only (passthrough).
    public var daveProtocolVersion = 1
    /// An Identify whose `max_dave_protocol_version` is below this is answered with close 4017.
    /// Discord, since DAVE became mandatory, behaves as 1; 0 (the default) gives such a client a
    /// transport-only call, as during Discord's transition period.
    public var minimumDAVEProtocolVersion = 0
    /// Whether simulated users commit the gateway's proposals themselves. They answer at once,
    /// so their commits win and the bot joins through Welcomes and processes others' commits;
    /// off, the bot is the only committer and its own commits are the ones announced.
    public var simulatedUsersCommit = false
    /// Every join first gets a VOICE_SERVER_UPDATE with `endpoint: null` (the voice server is
    /// being allocated), then the real one.
    public var nullEndpointBeforeServerUpdate = false
    /// Decoded audio kept per voice session; older samples are discarded first.
    public var maxRecordedAudioSeconds = 600

    public init() {}

    var effectiveHeartbeatTimeoutMs: Int { heartbeatTimeoutMs ?? 2 * heartbeatIntervalMs }
}
