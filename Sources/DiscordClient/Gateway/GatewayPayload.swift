/// The payloads the client writes. They are built as bytes directly: small, fixed shapes, with
/// the only free text (token, session id) escaped.
package enum GatewayPayload {
    /// Discord closes the connection (4002) on a client payload larger than this.
    package static let maxBytes = 4096
    package static let redactedToken = "<redacted>"

    package static func heartbeat(sequence: Int?) -> [UInt8] {
        Array("{\"op\":1,\"d\":\(sequence.map(String.init) ?? "null")}".utf8)
    }

    package static func identify(token: String, intents: UInt64, shardID: Int, shardCount: Int,
                         largeThreshold: Int, presence: [UInt8]?) -> [UInt8] {
        var out = Array("{\"op\":2,\"d\":{\"token\":".utf8)
        appendQuoted(token, to: &out)
        out += Array((",\"intents\":\(intents)"
            + ",\"properties\":{\"os\":\"linux\",\"browser\":\"bothost\",\"device\":\"bothost\"}"
            + ",\"shard\":[\(shardID),\(shardCount)],\"large_threshold\":\(largeThreshold)").utf8)
        if let presence {
            out += Array(",\"presence\":".utf8)
            out += presence
        }
        out += Array("}}".utf8)
        return out
    }

    package static func resume(token: String, sessionID: String, sequence: Int) -> [UInt8] {
        var out = Array("{\"op\":6,\"d\":{\"token\":".utf8)
        appendQuoted(token, to: &out)
        out += Array(",\"session_id\":".utf8)
        appendQuoted(sessionID, to: &out)
        out += Array(",\"seq\":\(sequence)}}".utf8)
        return out
    }

    /// A caller's payload around `data`, which must already be one JSON value.
    package static func event(op: Int, data: [UInt8]) -> [UInt8] {
        Array("{\"op\":\(op),\"d\":".utf8) + data + [UInt8(ascii: "}")]
    }

    /// The payload as text for a log line, with every occurrence of the token replaced.
    package static func loggable(_ payload: [UInt8], token: String) -> String {
        redact(String(decoding: payload, as: UTF8.self), token: token)
    }

    package static func redact(_ text: String, token: String) -> String {
        guard !token.isEmpty else { return text }
        var escaped: [UInt8] = []
        appendQuoted(token, to: &escaped)
        let forms = Set([token, String(decoding: escaped.dropFirst().dropLast(), as: UTF8.self)])
        return forms.reduce(text) { $0.replacingAll($1, with: redactedToken) }
    }

    package static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

private extension String {
    /// Plain substring replacement without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
