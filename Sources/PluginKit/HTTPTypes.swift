import Foundation

/// An outbound HTTP request made through the host.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute http:// or https:// URL.
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// Whole-request deadline; nil means the host's default (30 s).
    public var timeout: Duration?
    /// Refuse larger responses; nil means the host's default (16 MiB).
    public var maxBodyBytes: Int?

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
                timeout: Duration? = nil, maxBodyBytes: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }
}

public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A response that arrived (any HTTP status). Transport failures are thrown as `PluginError`.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [HTTPHeader]
    public let body: [UInt8]

    /// The first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decode(T.self, from: body, what: "HTTP response")
    }
}
