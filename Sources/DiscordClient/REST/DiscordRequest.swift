import BotHostCore

/// A request checked and ready to send: the route, the JSON body (with a nonce added to message
/// creates) and the headers other than Authorization. Holds no secret.
public struct DiscordRequest: Sendable {
    public let route: DiscordRoute
    public let body: [UInt8]?
    package let headers: [(String, String)]
    /// Whether a 5xx, a timeout or a failed connection may be retried (see `RetryPolicy`).
    public let retrySafe: Bool
    /// Its place among requests to the same endpoint, taken when it was prepared.
    package let sequence: UInt64
}

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

/// Checks a JSON request body and makes message creates safe to retry.
///
/// A message create that failed with a 5xx or a dropped connection may still have been posted, so a
/// plain retry can post it twice. With a `nonce` and `"enforce_nonce": true` Discord returns the
/// message already created with that nonce (for a few minutes) instead of posting another, so the
/// client adds both to creates that carry no nonce. The plugin's JSON is kept byte for byte: the
/// two members are inserted after the opening brace, nothing is re-encoded.
package enum RequestBody {
    /// Discord refuses much smaller bodies; this only stops a runaway plugin early.
    package static let maxBytes = 8 * 1024 * 1024

    package struct Prepared: Sendable, Equatable {
        package var body: [UInt8]?
        /// Whether sending it again after a 5xx or a failed connection cannot act twice.
        package var retrySafe: Bool
    }

    package static func prepare(_ body: [UInt8]?, for route: DiscordRoute,
                        nonce: () -> String = Self.randomNonce) throws(DiscordRESTError) -> Prepared {
        let idempotent = RetryPolicy.idempotentMethods.contains(route.method)
        guard var body, !body.isEmpty else { return Prepared(body: nil, retrySafe: idempotent) }
        // A UTF-8 byte-order mark is valid to our parser but not part of a JSON text on the wire.
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        guard body.count <= maxBytes else {
            throw .invalidRequest("the JSON body is \(body.count) bytes; the limit is \(maxBytes)")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            throw .invalidRequest("the body is not valid JSON (\(error.description))")
        }
        guard route.isMessageCreate, let object = value.objectValue else {
            return Prepared(body: body, retrySafe: idempotent)
        }
        if object["nonce"] != nil {
            // The plugin chose its own nonce; only an enforced one makes a retry harmless.
            return Prepared(body: body, retrySafe: object["enforce_nonce"]?.boolValue == true)
        }
        return Prepared(body: insertNonce(nonce(), into: body, objectIsEmpty: object.isEmpty), retrySafe: true)
    }

    /// A fresh nonce: 20 decimal digits at most, within Discord's 25 characters.
    package static func randomNonce() -> String { String(UInt64.random(in: 1...UInt64.max)) }

    private static func insertNonce(_ nonce: String, into body: [UInt8], objectIsEmpty: Bool) -> [UInt8] {
        // The parser accepted an object, so the first byte that is not whitespace is "{".
        guard let brace = body.firstIndex(of: UInt8(ascii: "{")) else { return body }
        let members = #""nonce":"\#(nonce)","enforce_nonce":true"# + (objectIsEmpty ? "" : ",")
        var result = body
        result.insert(contentsOf: Array(members.utf8), at: brace + 1)
        return result
    }
}
