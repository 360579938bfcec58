/// UDP IP discovery: a 74-byte big-endian packet, type 1 (request) or 2 (response), length 70,
/// SSRC, a 64-byte NUL-terminated ASCII address and a port.
enum IPDiscoveryPacket {
    static let size = 74
    static let requestType: UInt16 = 1
    static let responseType: UInt16 = 2

    /// The SSRC of a discovery request, or nil if the datagram is not one.
    static func requestSSRC(_ datagram: [UInt8]) -> UInt32? {
        guard datagram.count == size, UInt16(datagram[0]) << 8 | UInt16(datagram[1]) == requestType,
              UInt16(datagram[2]) << 8 | UInt16(datagram[3]) == 70 else { return nil }
        return datagram[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    static func response(ssrc: UInt32, address: String, port: Int) -> [UInt8] {
        var out: [UInt8] = [0x00, UInt8(responseType), 0x00, 70]
        out += VoiceTransportCipher.bigEndianBytes(ssrc)
        var field = Array(address.utf8.prefix(63))
        field += [UInt8](repeating: 0, count: 64 - field.count)
        out += field
        out += [UInt8(port >> 8 & 0xFF), UInt8(port & 0xFF)]
        return out
    }
}
