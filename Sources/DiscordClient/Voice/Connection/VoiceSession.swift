import NIOCore
import Synchronization

/// The bot's voice connection in one guild, from the moment it first connected until it ends.
/// Reconnects happen inside: a resume keeps the transport; a new voice session (a move, a new
/// voice server, close 4006) replaces it, announced as `connecting` then `connected` again.
public final class VoiceSession: Sendable {
    public let guildID: UInt64
    package let core: VoiceSessionCore
    private let currentTransport: Mutex<VoiceTransport>
    private weak let driver: VoiceSessionDriver?

    package init(core: VoiceSessionCore, transport: VoiceTransport, driver: VoiceSessionDriver) {
        guildID = core.guildID
        self.core = core
        currentTransport = Mutex(transport)
        self.driver = driver
    }

    /// The channel Discord last reported the bot in (follows moves).
    public var channelID: UInt64 { core.channelID }

    public var state: VoiceSessionState { core.current }

    /// The current state, then every change; the stream ends after `disconnected`.
    public func stateChanges() -> AsyncStream<VoiceSessionState> { core.stateChanges() }

    // MARK: transport

    /// The latest established transport (kept after the session ended, with its socket closed).
    public var transport: VoiceTransport { currentTransport.withLock { $0 } }
    public var mode: VoiceEncryptionMode { transport.mode }
    public var secretKey: [UInt8] { transport.secretKey }
    public var ssrc: UInt32 { transport.ssrc }

    package func replaceTransport(_ transport: VoiceTransport) {
        currentTransport.withLock { $0 = transport }
    }

    /// Builds a buffer from the socket's allocator for an outgoing datagram.
    public func makeDatagramBuffer(capacity: Int) -> ByteBuffer { transport.makeDatagramBuffer(capacity: capacity) }

    /// Sends one datagram on the current transport; false while none is open (reconnecting, ended).
    @discardableResult
    public func send(datagram: ByteBuffer) -> Bool { transport.send(datagram: datagram) }

    /// Sets the receiver of inbound datagrams (replacing any earlier one; nil stops delivery).
    public func onDatagram(_ handler: VoiceDatagramHandler?) { core.setDatagramHandler(handler) }

    // MARK: end-to-end encryption

    /// Whether the session is end-to-end encrypted (DAVE), its epoch and voice privacy code.
    public var endToEndStatus: VoiceEndToEndStatus { core.endToEndStatus }

    /// Calls `observer` whenever the end-to-end status changes (replacing any earlier observer).
    public func onEndToEndChange(_ observer: (@Sendable (VoiceEndToEndStatus) -> Void)?) { core.observeEndToEnd(observer) }

    /// Whether media may go out now: false while end-to-end encryption is negotiated and its group
    /// not ready yet (the sender holds its frames meanwhile).
    public var isReadyToSendMedia: Bool { core.endToEnd?.isReadyToSend ?? true }

    /// A frame transform for one media pipeline: DAVE's when the host offers it (it encrypts and
    /// decrypts with the current group's keys), else frames pass through.
    public func makeFrameTransform() -> any VoiceFrameTransform {
        guard let endToEnd = core.endToEnd else { return PassthroughVoiceFrameTransform() }
        let core = self.core
        return endToEnd.makeFrameTransform(userID: { core.userID(forSSRC: $0) })
    }

    // MARK: speaking and users

    /// Sends op 5 Speaking with the session's SSRC; Discord needs it before the first audio packet.
    /// Remembered: a new voice session (new SSRC) announces it again. Throws once the session ended.
    public func setSpeaking(_ flags: VoiceSpeakingFlags) async throws {
        guard let driver, !state.isDisconnected else { throw VoiceConnectionError.sessionClosed }
        try await driver.setSpeaking(flags)
    }

    /// The user behind an SSRC, learnt from the Speaking events of others.
    public func userID(forSSRC ssrc: UInt32) -> UInt64? { core.userID(forSSRC: ssrc) }

    /// Users the voice server announced in the channel (Clients Connect, Speaking), minus those
    /// that disconnected.
    public var connectedUserIDs: Set<UInt64> { core.connectedUserIDs }
}
