/// How the host connects to Discord voice. Defaults follow Discord's behaviour; tests shorten them.
public struct VoiceConnectionSettings: Sendable {
    /// wss:// (TLS) for the voice WebSocket. See `usesTLS(forGatewayURL:)` for the rule.
    public var secureWebSocket: Bool
    /// From op 4 until the session is connected (or fails); the join then fails with a reason.
    public var joinTimeout: Duration
    /// TCP connect plus WebSocket upgrade.
    public var connectTimeout: Duration
    /// From the upgrade to Session Description (or Resumed); a connection stuck in the handshake
    /// is dropped and retried.
    public var handshakeTimeout: Duration
    /// Reconnect delays double from the base up to the cap, with jitter.
    public var reconnectBaseDelay: Duration
    public var reconnectMaxDelay: Duration
    /// Consecutive failed reconnects before the session gives up.
    public var maxReconnectAttempts: Int
    /// After close 4014 or a VOICE_SERVER_UPDATE without an endpoint: how long to wait for Discord
    /// to hand out a new voice server before the session ends.
    public var serverReassignmentTimeout: Duration
    /// Heartbeats without an ACK before the connection counts as a zombie and is resumed.
    public var missedHeartbeatAcksBeforeZombie: Int
    /// UDP can drop: IP discovery sends up to this many requests, this far apart.
    public var ipDiscoveryAttempts: Int
    public var ipDiscoveryRetryInterval: Duration
    /// The largest voice WebSocket message accepted (DAVE's MLS messages are the large ones).
    public var maxMessageBytes: Int
    /// Whether AES-256-GCM can run on this CPU (by default the media layer's libsodium check,
    /// `crypto_aead_aes256gcm_is_available`). False keeps to XChaCha20-Poly1305, which always works.
    public var isAES256GCMUsable: @Sendable () -> Bool
    /// Values in [0, 1): reconnect jitter (fixed in tests).
    public var random: @Sendable () -> Double
    /// Makes the end-to-end encryption (DAVE) layer of a voice session for the bot's user id:
    /// DAVE protocol version 1 by default, as Discord requires; nil offers no end-to-end
    /// encryption (`max_dave_protocol_version` 0), for tests of transport-only calls.
    public var makeEndToEndSession: (@Sendable (_ userID: UInt64) -> any VoiceEndToEndSession)?

    /// DAVE on the DAVE module, one session per voice session.
    public static let daveEndToEnd: @Sendable (_ userID: UInt64) -> any VoiceEndToEndSession = { DAVEEndToEndSession(userID: $0) }

    /// - Parameter gatewayURL: the host's main gateway URL (nil: Discord's own, from `/gateway/bot`).
    public init(
        gatewayURL: String?,
        joinTimeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(10),
        handshakeTimeout: Duration = .seconds(15),
        reconnectBaseDelay: Duration = .seconds(1),
        reconnectMaxDelay: Duration = .seconds(30),
        maxReconnectAttempts: Int = 8,
        serverReassignmentTimeout: Duration = .seconds(10),
        missedHeartbeatAcksBeforeZombie: Int = 2,
        ipDiscoveryAttempts: Int = 5,
        ipDiscoveryRetryInterval: Duration = .seconds(1),
        maxMessageBytes: Int = 1 << 20,
        isAES256GCMUsable: @escaping @Sendable () -> Bool = { VoiceEncryptionMode.aeadAES256GCMRTPSize.isAvailable },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        makeEndToEndSession: (@Sendable (_ userID: UInt64) -> any VoiceEndToEndSession)? = VoiceConnectionSettings.daveEndToEnd
    ) {
        secureWebSocket = Self.usesTLS(forGatewayURL: gatewayURL)
        self.joinTimeout = joinTimeout
        self.connectTimeout = connectTimeout
        self.handshakeTimeout = handshakeTimeout
        self.reconnectBaseDelay = reconnectBaseDelay
        self.reconnectMaxDelay = reconnectMaxDelay
        self.maxReconnectAttempts = max(1, maxReconnectAttempts)
        self.serverReassignmentTimeout = serverReassignmentTimeout
        self.missedHeartbeatAcksBeforeZombie = max(1, missedHeartbeatAcksBeforeZombie)
        self.ipDiscoveryAttempts = max(1, ipDiscoveryAttempts)
        self.ipDiscoveryRetryInterval = ipDiscoveryRetryInterval
        self.maxMessageBytes = max(4096, maxMessageBytes)
        self.isAES256GCMUsable = isAES256GCMUsable
        self.random = random
        self.makeEndToEndSession = makeEndToEndSession
    }

    /// The scheme rule: Discord's voice endpoints come without a scheme and always need TLS. Only
    /// a host whose own gateway URL is plain ws:// (the local emulator on loopback) uses ws:// for
    /// voice too, because such a server has no certificate to offer.
    public static func usesTLS(forGatewayURL gatewayURL: String?) -> Bool {
        guard let gatewayURL else { return true }
        let trimmed = gatewayURL.drop { $0.isWhitespace }
        return !trimmed.lowercased().hasPrefix("ws://")
    }

    /// A jitter value clamped into [0, 1).
    package func randomUnit() -> Double {
        let r = random()
        return r.isFinite ? min(max(r, 0), 0.999_999_999) : 0
    }
}
