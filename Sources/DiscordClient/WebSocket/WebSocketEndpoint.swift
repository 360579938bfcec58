/// A gateway URL taken apart for the socket: host, port, and the request path carrying the query
/// Discord expects (`v=10&encoding=json`, plus `compress=zlib-stream` when compressing).
package struct WebSocketEndpoint: Equatable, CustomStringConvertible {
    package var secure: Bool
    package var host: String
    package var port: Int
    /// Path and query for the upgrade request.
    package var requestURI: String

    package init(secure: Bool, host: String, port: Int, requestURI: String) {
        self.secure = secure
        self.host = host
        self.port = port
        self.requestURI = requestURI
    }

    package var description: String { "\(secure ? "wss" : "ws")://\(hostHeader)\(requestURI)" }

    /// `Host` header value: the port only when it is not the scheme's default.
    package var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? h : "\(h):\(port)"
    }

    package static func parse(_ url: String, compress: Bool) throws(GatewayError) -> WebSocketEndpoint {
        let text = url.trimmingSpaces
        let secure: Bool
        let rest: Substring
        if let r = text.dropPrefix(caseInsensitive: "wss://") { secure = true; rest = r }
        else if let r = text.dropPrefix(caseInsensitive: "ws://") { secure = false; rest = r }
        else { throw .unsupportedURL("gateway URL \"\(url)\" must start with ws:// or wss://") }

        let withoutFragment = rest.prefix { $0 != "#" }
        let authorityEnd = withoutFragment.firstIndex { $0 == "/" || $0 == "?" } ?? withoutFragment.endIndex
        let authority = withoutFragment[..<authorityEnd]
        let pathAndQuery = withoutFragment[authorityEnd...]
        guard !authority.isEmpty, !authority.contains("@") else {
            throw .unsupportedURL("gateway URL \"\(url)\" has no usable host")
        }

        var host = Substring(authority)
        var port = secure ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .unsupportedURL("gateway URL \"\(url)\" has an unclosed IPv6 address") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw .unsupportedURL("gateway URL \"\(url)\" has an invalid port")
                }
                port = p
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else {
                throw .unsupportedURL("gateway URL \"\(url)\" has an invalid port")
            }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw .unsupportedURL("gateway URL \"\(url)\" has no host") }

        let queryStart = pathAndQuery.firstIndex(of: "?")
        var path = String(queryStart.map { pathAndQuery[..<$0] } ?? pathAndQuery)
        if path.isEmpty { path = "/" }
        // Keep unrelated parameters; ours replace any the URL already had.
        let ours: Set<Substring> = ["v", "encoding", "compress"]
        var query = queryStart.map { pathAndQuery[pathAndQuery.index(after: $0)...] }?
            .split(separator: "&")
            .filter { !ours.contains($0.prefix { $0 != "=" }) }
            .map(String.init) ?? []
        query += ["v=10", "encoding=json"]
        if compress { query.append("compress=zlib-stream") }
        return WebSocketEndpoint(secure: secure, host: String(host), port: port,
                               requestURI: path + "?" + query.joined(separator: "&"))
    }
}

private extension String {
    var trimmingSpaces: Substring {
        let scalars = unicodeScalars
        let start = scalars.firstIndex { !$0.properties.isWhitespace } ?? scalars.endIndex
        let end = scalars.lastIndex { !$0.properties.isWhitespace }.map { scalars.index(after: $0) } ?? start
        return self[start..<end]
    }
}

private extension Substring {
    func dropPrefix(caseInsensitive prefix: String) -> Substring? {
        guard count >= prefix.count, self.prefix(prefix.count).lowercased() == prefix else { return nil }
        return dropFirst(prefix.count)
    }
}
