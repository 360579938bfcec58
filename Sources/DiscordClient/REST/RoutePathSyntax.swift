/// The syntax a plugin-supplied API path must have before the host puts its token on it.
///
/// The path is appended to the configured base URL, so anything that could change where the request
/// goes — another host, a parent directory, a fragment, a backslash some parsers read as a slash, a
/// percent-escape that decodes to one of those — is refused rather than cleaned up.
package enum RoutePathSyntax {
    /// The path's segments (without the query), or why the path is refused.
    package static func segments(of path: String) throws(DiscordRESTError) -> [Substring] {
        guard !path.isEmpty else { throw .invalidRoute("the path is empty; give an API path such as /channels/123/messages") }
        guard path.utf8.count <= DiscordRoute.maxPathLength else {
            throw .invalidRoute("the path is longer than \(DiscordRoute.maxPathLength) bytes")
        }
        guard path.hasPrefix("/") else {
            throw .invalidRoute("\"\(shown(path))\" is not a relative API path: it must start with \"/\" (e.g. /channels/123/messages)")
        }
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let pathPart = parts[0]
        if parts.count == 2 { try checkQuery(parts[1], path) }
        try checkCharacters(pathPart, allowed: isPathByte, forbiddenEscape: isForbiddenPathEscape, path)
        if pathPart.lowercased().hasPrefix("/api/") {
            throw .invalidRoute("\"\(shown(path))\" repeats the API prefix; paths are relative to the base URL (drop \"/api/v10\")")
        }
        let segments = pathPart.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            if segment.isEmpty {
                throw .invalidRoute("\"\(shown(path))\" has an empty segment (\"//\" or a trailing \"/\")")
            }
            if segment == "." || segment == ".." {
                throw .invalidRoute("\"\(shown(path))\" contains a \".\" or \"..\" segment")
            }
            // Discord's only "@" segments; an "@" elsewhere is how URLs smuggle in another host.
            if segment.contains("@"), segment != "@me", segment != "@original" {
                throw .invalidRoute("\"\(shown(path))\" has \"@\" outside the segments @me and @original")
            }
        }
        return segments
    }

    private static func checkQuery(_ query: Substring, _ path: String) throws(DiscordRESTError) {
        try checkCharacters(query, allowed: isQueryByte, forbiddenEscape: { $0 < 0x20 || $0 == 0x7F }, path)
    }

    /// Every byte must be allowed; "%" must start a valid escape that decodes to a harmless byte.
    private static func checkCharacters(_ text: Substring, allowed: (UInt8) -> Bool, forbiddenEscape: (UInt8) -> Bool,
                                        _ path: String) throws(DiscordRESTError) {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                    throw .invalidRoute("\"\(shown(path))\" has a \"%\" that does not start a percent-escape (%XX)")
                }
                let decoded = high << 4 | low
                guard !forbiddenEscape(decoded) else {
                    throw .invalidRoute("\"\(shown(path))\" percent-encodes a character that could change the target (%\(String(decoded, radix: 16, uppercase: true)))")
                }
                index += 3
                continue
            }
            guard allowed(byte) else {
                let what = byte >= 0x80 ? "a non-ASCII character (percent-encode it, e.g. emoji in reaction paths)"
                    : byte < 0x20 || byte == 0x7F ? "a control character" : "\"\(Character(Unicode.Scalar(byte)))\""
                throw .invalidRoute("\"\(shown(path))\" contains \(what), which an API path may not")
            }
            index += 1
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Escapes in the path that decode to path structure ("/", ".", "\", "?", "#", "%") or control bytes.
    private static func isForbiddenPathEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || "/.\\?#%".utf8.contains(byte)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "-._~".utf8.contains(byte)
        }
    }

    /// "@" for @me/@original, ":" for name:id emoji in reaction paths.
    private static func isPathByte(_ byte: UInt8) -> Bool {
        isUnreserved(byte) || "/@:".utf8.contains(byte)
    }

    private static func isQueryByte(_ byte: UInt8) -> Bool {
        isUnreserved(byte) || "=&,:+".utf8.contains(byte)
    }

    /// The path as quoted in an error: bounded, so a hostile one cannot flood a log.
    package static func shown(_ path: String) -> String {
        path.utf8.count <= 120 ? path : String(decoding: path.utf8.prefix(117), as: UTF8.self) + "…"
    }
}
