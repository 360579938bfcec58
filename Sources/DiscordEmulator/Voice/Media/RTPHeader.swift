/// An RTP header (RFC 3550) as Discord voice uses it: version 2, payload type 0x78 (Opus),
/// optional CSRCs and an optional header extension whose 4-byte preamble stays in clear while
/// its body travels encrypted.
struct RTPHeader: Sendable, Equatable {
    static let fixedLength = 12
    static let opusPayloadType: UInt8 = 0x78
    /// The one-byte-element extension profile (RFC 8285) Discord's clients send.
    static let oneByteExtensionProfile: UInt16 = 0xBEDE

    var marker = false
    var payloadType = opusPayloadType
    var sequence: UInt16
    var timestamp: UInt32
    var ssrc: UInt32
    var csrcs: [UInt32] = []
    var padding = false
    /// Profile and length (in 32-bit words) of the header extension, when present.
    var extensionPreamble: (profile: UInt16, words: UInt16)?

    static func == (lhs: RTPHeader, rhs: RTPHeader) -> Bool {
        lhs.marker == rhs.marker && lhs.payloadType == rhs.payloadType && lhs.sequence == rhs.sequence
            && lhs.timestamp == rhs.timestamp && lhs.ssrc == rhs.ssrc && lhs.csrcs == rhs.csrcs && lhs.padding == rhs.padding
            && lhs.extensionPreamble?.profile == rhs.extensionPreamble?.profile
            && lhs.extensionPreamble?.words == rhs.extensionPreamble?.words
    }

    /// Length of the clear part: fixed header, CSRCs, extension preamble.
    var associatedDataLength: Int { Self.fixedLength + 4 * csrcs.count + (extensionPreamble == nil ? 0 : 4) }

    /// Bytes of encrypted extension body that precede the payload in the plaintext.
    var extensionBodyLength: Int { Int(extensionPreamble?.words ?? 0) * 4 }

    /// The clear part of a packet: header, CSRCs and the extension preamble.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(associatedDataLength)
        out.append(0x80 | (padding ? 0x20 : 0) | (extensionPreamble == nil ? 0 : 0x10) | UInt8(csrcs.count & 0x0F))
        out.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        out += [UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        out += VoiceTransportCipher.bigEndianBytes(timestamp)
        out += VoiceTransportCipher.bigEndianBytes(ssrc)
        for csrc in csrcs.prefix(15) { out += VoiceTransportCipher.bigEndianBytes(csrc) }
        if let (profile, words) = extensionPreamble {
            out += [UInt8(profile >> 8), UInt8(profile & 0xFF), UInt8(words >> 8), UInt8(words & 0xFF)]
        }
        return out
    }

    /// Parses the clear part of a packet; nil if it is not RTP version 2 or is truncated.
    init?(parsing packet: [UInt8]) {
        guard packet.count >= Self.fixedLength, packet[0] >> 6 == 2 else { return nil }
        let csrcCount = Int(packet[0] & 0x0F)
        let hasExtension = packet[0] & 0x10 != 0
        let needed = Self.fixedLength + 4 * csrcCount + (hasExtension ? 4 : 0)
        guard packet.count >= needed else { return nil }
        func u32(_ at: Int) -> UInt32 { packet[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        func u16(_ at: Int) -> UInt16 { UInt16(packet[at]) << 8 | UInt16(packet[at + 1]) }
        padding = packet[0] & 0x20 != 0
        marker = packet[1] & 0x80 != 0
        payloadType = packet[1] & 0x7F
        sequence = u16(2)
        timestamp = u32(4)
        ssrc = u32(8)
        csrcs = (0..<csrcCount).map { u32(Self.fixedLength + 4 * $0) }
        if hasExtension {
            let at = Self.fixedLength + 4 * csrcCount
            extensionPreamble = (u16(at), u16(at + 2))
        }
    }

    init(sequence: UInt16, timestamp: UInt32, ssrc: UInt32) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.ssrc = ssrc
    }

    /// RTCP shares the port on Discord; its packet types 200–204 sit where RTP has M + PT.
    static func isRTCP(_ packet: [UInt8]) -> Bool {
        packet.count >= 2 && (200...204).contains(packet[1])
    }
}
