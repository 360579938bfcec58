/// The Ogg Opus comment header (RFC 7845 §5.2): a vendor string and `NAME=value` comments.
public struct OpusTags: Sendable, Equatable {
    static let magic: [UInt8] = Array("OpusTags".utf8)

    public var vendor: String
    public var comments: [String]

    public init(vendor: String, comments: [String] = []) {
        self.vendor = vendor
        self.comments = comments
    }

    func packet() -> [UInt8] {
        var bytes = Self.magic
        let vendorBytes = Array(vendor.utf8)
        bytes.appendLittleEndian(UInt32(vendorBytes.count))
        bytes.append(contentsOf: vendorBytes)
        bytes.appendLittleEndian(UInt32(comments.count))
        for comment in comments {
            let commentBytes = Array(comment.utf8)
            bytes.appendLittleEndian(UInt32(commentBytes.count))
            bytes.append(contentsOf: commentBytes)
        }
        return bytes
    }

    static func parse(_ packet: [UInt8]) throws(OggOpusError) -> OpusTags {
        guard packet.count >= 16, Array(packet[0..<8]) == magic else { throw .missingOpusTags }
        var offset = 8
        func string() throws(OggOpusError) -> String {
            guard let length = packet.littleEndian(UInt32.self, at: offset),
                  Int(length) <= packet.count - offset - 4
            else { throw .invalidOpusTags }
            let start = offset + 4
            offset = start + Int(length)
            return String(decoding: packet[start..<offset], as: UTF8.self)
        }
        let vendor = try string()
        guard let count = packet.littleEndian(UInt32.self, at: offset) else { throw .invalidOpusTags }
        offset += 4
        // Each comment takes at least its 4-byte length, so a count beyond that is a lie.
        guard Int(count) <= (packet.count - offset) / 4 else { throw .invalidOpusTags }
        var comments: [String] = []
        for _ in 0..<count { comments.append(try string()) }
        return OpusTags(vendor: vendor, comments: comments)
    }
}
