/// The voice WebSocket URL for a VOICE_SERVER_UPDATE endpoint: `{scheme}://{endpoint}/?v=8`.
package enum VoiceEndpoint {
    package static let gatewayVersion = 8

    /// `endpoint` is host[:port] without a scheme (one is tolerated and replaced: the scheme rule
    /// of `VoiceConnectionSettings` decides). A path or query on it is dropped.
    package static func webSocket(for endpoint: String, secure: Bool) throws(VoiceConnectionError) -> WebSocketEndpoint {
        var text = Substring(endpoint).drop { $0.isWhitespace }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        for scheme in ["wss://", "ws://"] where text.lowercased().hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
        }
        let authority = text.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty else { throw .invalidEndpoint("\"\(endpoint)\" has no host") }
        do {
            var parsed = try WebSocketEndpoint.parse("\(secure ? "wss" : "ws")://\(authority)", compress: false)
            parsed.requestURI = "/?v=\(gatewayVersion)"
            return parsed
        } catch {
            throw .invalidEndpoint("\"\(endpoint)\" is not host[:port]")
        }
    }
}
