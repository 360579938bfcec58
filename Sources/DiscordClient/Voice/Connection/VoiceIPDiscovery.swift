import NIOCore

/// Our address as the voice server sees it (after NAT), learned by UDP IP discovery and sent in
/// Select Protocol so the server knows where to send audio.
public struct VoiceExternalAddress: Sendable, Equatable, CustomStringConvertible {
    public let ip: String
    public let port: Int

    public init(ip: String, port: Int) {
        self.ip = ip
        self.port = port
    }

    public var description: String { "\(ip):\(port)" }
}

/// The 74-byte IP discovery packets, big-endian: type u16 (1 request, 2 response), length u16
/// (always 70: what follows), SSRC u32, address (64 bytes, NUL-terminated ASCII in the response),
/// port u16.
package enum VoiceIPDiscovery {
    package static let packetLength = 74
    package static let bodyLength: UInt16 = 70
    package static let requestType: UInt16 = 1
    package static let responseType: UInt16 = 2
    private static let addressLength = 64

    package struct Response: Equatable {
        package var ssrc: UInt32
        package var address: VoiceExternalAddress
    }

    /// Writes a request for `ssrc` (address and port zeroed) into `buffer`.
    package static func writeRequest(ssrc: UInt32, into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: packetLength)
        buffer.writeInteger(requestType)
        buffer.writeInteger(bodyLength)
        buffer.writeInteger(ssrc)
        buffer.writeRepeatingByte(0, count: addressLength + 2)
    }

    /// Whether a datagram has the shape of a discovery response (RTP and RTCP never do: their
    /// first byte carries version 2). Used to drop late duplicates after discovery succeeded.
    package static func looksLikeResponse(_ datagram: ByteBuffer) -> Bool {
        datagram.readableBytes == packetLength
            && datagram.getInteger(at: datagram.readerIndex, as: UInt16.self) == responseType
    }

    /// Decodes a response; throws on anything malformed (wrong size, type or length field,
    /// an address that is empty, unterminated or not printable ASCII, port 0).
    package static func parseResponse(_ datagram: ByteBuffer) throws(VoiceConnectionError) -> Response {
        guard datagram.readableBytes == packetLength else {
            throw .ipDiscoveryFailed("the response has \(datagram.readableBytes) bytes, not \(packetLength)")
        }
        let start = datagram.readerIndex
        guard let type = datagram.getInteger(at: start, as: UInt16.self),
              let length = datagram.getInteger(at: start + 2, as: UInt16.self),
              let ssrc = datagram.getInteger(at: start + 4, as: UInt32.self),
              let address = datagram.getBytes(at: start + 8, length: addressLength),
              let port = datagram.getInteger(at: start + 8 + addressLength, as: UInt16.self) else {
            throw .ipDiscoveryFailed("the response is truncated")
        }
        guard type == responseType else { throw .ipDiscoveryFailed("the response has type \(type), not \(responseType)") }
        guard length == bodyLength else { throw .ipDiscoveryFailed("the response has length \(length), not \(bodyLength)") }
        guard let end = address.firstIndex(of: 0) else {
            throw .ipDiscoveryFailed("the address in the response is not NUL-terminated")
        }
        let text = address[..<end]
        guard !text.isEmpty, text.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .ipDiscoveryFailed("the address in the response is empty or not printable ASCII")
        }
        guard port != 0 else { throw .ipDiscoveryFailed("the response carries port 0") }
        return Response(ssrc: ssrc, address: VoiceExternalAddress(ip: String(decoding: text, as: UTF8.self), port: Int(port)))
    }
}
