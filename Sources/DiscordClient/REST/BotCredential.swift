import Foundation

/// The bot token, kept where it cannot leak: it is only ever written into the Authorization header,
/// and `redact` removes it from any text or bytes that leave the client (errors, logs, bodies a
/// plugin receives — a misconfigured base URL could point at a server that echoes headers back).
package struct BotCredential: Sendable, CustomStringConvertible {
    private let token: String
    private let tokenBytes: [UInt8]
    package static let placeholder = "[redacted]"

    /// Accepts the token as operators paste it: surrounding whitespace and a "Bot " prefix are
    /// dropped. What is left must be visible ASCII; the error never repeats the token.
    package init(_ raw: String) throws(DiscordRESTError) {
        var token = String(raw.drop { $0.isWhitespace })
        if token.lowercased().hasPrefix("bot ") { token.removeFirst(4) }
        token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .invalidConfiguration("the bot token is empty") }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidConfiguration("the bot token contains spaces, control or non-ASCII characters; copy it again from the developer portal")
        }
        self.token = token
        self.tokenBytes = Array(token.utf8)
    }

    package var authorization: String { "Bot " + token }

    /// Never the token itself, so interpolating a credential into a log line is harmless.
    package var description: String { Self.placeholder }

    package func redact(_ text: String) -> String {
        text.contains(token) ? text.replacingOccurrences(of: token, with: Self.placeholder) : text
    }

    package func redact(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= tokenBytes.count, let first = tokenBytes.first else { return bytes }
        var result: [UInt8] = []
        var index = 0, copied = 0
        while index + tokenBytes.count <= bytes.count {
            if bytes[index] == first, bytes[index..<(index + tokenBytes.count)].elementsEqual(tokenBytes) {
                if result.isEmpty { result.reserveCapacity(bytes.count) }
                result.append(contentsOf: bytes[copied..<index])
                result.append(contentsOf: Self.placeholder.utf8)
                index += tokenBytes.count
                copied = index
            } else {
                index += 1
            }
        }
        guard copied > 0 else { return bytes }
        result.append(contentsOf: bytes[copied...])
        return result
    }
}
