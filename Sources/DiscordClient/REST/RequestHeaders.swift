import BotHostCore

/// The headers every Discord request carries, except Authorization (added by the transport step
/// from the credential, so a prepared request never holds the token).
package enum RequestHeaders {
    /// Discord requires `DiscordBot (<url>, <version>)`.
    package static let userAgent = "DiscordBot (https://github.com/bothost/bothost, \(HostVersion.current))"
    /// Discord's limit on X-Audit-Log-Reason, in characters.
    package static let maxReasonLength = 512

    package static func make(hasBody: Bool, reason: String?) throws(DiscordRESTError) -> [(String, String)] {
        var headers = [("User-Agent", userAgent)]
        if hasBody { headers.append(("Content-Type", "application/json")) }
        if let reason, !reason.isEmpty {
            guard reason.count <= maxReasonLength else {
                throw .invalidRequest("the audit-log reason has \(reason.count) characters; Discord allows \(maxReasonLength)")
            }
            headers.append(("X-Audit-Log-Reason", percentEncoded(reason)))
        }
        return headers
    }

    /// Discord reads the reason URL-encoded, which also keeps any CR/LF out of the header.
    package static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
