import NIOCore
import NIOWebSocket

/// Turns one connection's frames into whole gateway messages: text as is, binary through the
/// connection's zlib-stream context (or as is when compression is off), control frames reported.
package struct GatewayFrameReader {
    package enum Event {
        case message([UInt8])
        /// The server's close frame; `code` is nil when it carried none.
        case close(code: Int?, reason: String)
        case ping(ByteBuffer)
        /// Part of a compressed message, or a frame with nothing for the client.
        case nothing
    }

    private let inflater: ZlibStreamInflater?

    package init(compressed: Bool, maxMessageBytes: Int) throws(ZlibStreamError) {
        inflater = compressed ? try ZlibStreamInflater(maxMessageBytes: maxMessageBytes) : nil
    }

    package func read(_ frame: WebSocketFrame) throws(ZlibStreamError) -> Event {
        switch frame.opcode {
        case .text:
            return .message(Array(buffer: frame.unmaskedData))
        case .binary:
            let data = frame.unmaskedData
            guard let inflater else { return .message(Array(buffer: data)) }
            return try data.withUnsafeReadableBytes { bytes throws(ZlibStreamError) in
                try inflater.feed(bytes).map(Event.message) ?? .nothing
            }
        case .connectionClose:
            var data = frame.unmaskedData
            guard let code = data.readInteger(as: UInt16.self) else { return .close(code: nil, reason: "") }
            return .close(code: Int(code), reason: data.readString(length: data.readableBytes) ?? "")
        case .ping:
            return .ping(frame.unmaskedData)
        default:
            return .nothing
        }
    }
}
