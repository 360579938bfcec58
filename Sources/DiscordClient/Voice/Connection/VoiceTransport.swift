import NIOCore

/// One established voice session's media parameters and its UDP socket: what the media layer
/// needs to encrypt, address and send packets. A new session (new SSRC, new key) brings a new
/// transport; packets built for an old one are best dropped, so keep the transport a packet was
/// encrypted for and send on that one.
public final class VoiceTransport: Sendable, CustomStringConvertible {
    public let mode: VoiceEncryptionMode
    /// The 32-byte transport key from Session Description. Secret: never log it.
    public let secretKey: [UInt8]
    public let ssrc: UInt32
    /// Our address as the voice server sees it (from IP discovery).
    public let externalAddress: VoiceExternalAddress
    /// The voice server's UDP address (from Ready).
    public var serverAddress: VoiceExternalAddress { socket.remote }
    package let socket: VoiceUDPSocket

    package init(mode: VoiceEncryptionMode, secretKey: [UInt8], ssrc: UInt32, externalAddress: VoiceExternalAddress, socket: VoiceUDPSocket) {
        self.mode = mode
        self.secretKey = secretKey
        self.ssrc = ssrc
        self.externalAddress = externalAddress
        self.socket = socket
    }

    /// The socket's allocator: build outgoing datagrams with it to avoid copies.
    public var allocator: ByteBufferAllocator { socket.allocator }

    /// The event loop the socket runs on. A sender running there writes without a thread hop.
    public var eventLoop: any EventLoop { socket.channel.eventLoop }

    public func makeDatagramBuffer(capacity: Int) -> ByteBuffer { socket.allocator.buffer(capacity: capacity) }

    /// Writes one datagram to the voice server; false when this transport's socket is closed
    /// (the session ended or was replaced).
    @discardableResult
    public func send(datagram: ByteBuffer) -> Bool { socket.send(datagram) }

    public var isOpen: Bool { socket.channel.isActive }

    public var description: String {
        "VoiceTransport(\(mode.rawValue), ssrc \(ssrc), \(externalAddress) → \(serverAddress), key <redacted>)"
    }

    package func close() async { await socket.close() }
}
