/// Links from a feed, checked before they go into an embed: Discord refuses the whole message
/// when one URL is not an absolute http(s) URL, so anything doubtful is left out instead.
enum EmbedURL {
    static let maxLength = 2048

    static func sanitized(_ text: String?) -> String? {
        guard let text, text.utf8.count <= maxLength else { return nil }
        let lower = text.prefix(8).lowercased()
        let schemeLength = lower.hasPrefix("https://") ? 8 : lower.hasPrefix("http://") ? 7 : 0
        guard schemeLength > 0 else { return nil }
        // Printable ASCII without spaces, quotes, angle brackets or backslashes (RFC 3986 plus %).
        let allowed = text.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "<")
                && byte != UInt8(ascii: ">") && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "`")
                && byte != UInt8(ascii: "{") && byte != UInt8(ascii: "}") && byte != UInt8(ascii: "|")
                && byte != UInt8(ascii: "^")
        }
        guard allowed else { return nil }
        let rest = text.utf8.dropFirst(schemeLength)
        guard let first = rest.first, first != UInt8(ascii: "/") else { return nil }
        // Parentheses would end a markdown link early; percent-encoded they mean the same.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") }) else { return text }
        var encoded = ""
        for character in text {
            switch character {
            case "(": encoded += "%28"
            case ")": encoded += "%29"
            default: encoded.append(character)
            }
        }
        return encoded.utf8.count <= maxLength ? encoded : nil
    }
}
