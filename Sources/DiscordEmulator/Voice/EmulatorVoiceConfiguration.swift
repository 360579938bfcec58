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
    /// Behave like Discord since DAVE became mandatory: every Identify is answered with close
    /// 4017. The emulator does not speak DAVE, so a client cannot get past this.
    public var requiresDAVE = false
    /// Every join first gets a VOICE_SERVER_UPDATE with `endpoint: null` (the voice server is
    /// being allocated), then the real one.
    public var nullEndpointBeforeServerUpdate = false
    /// Decoded audio kept per voice session; older samples are discarded first.
    public var maxRecordedAudioSeconds = 600

    public init() {}

    var effectiveHeartbeatTimeoutMs: Int { heartbeatTimeoutMs ?? 2 * heartbeatIntervalMs }
}
