import Foundation

/// How the REST client talks to Discord. Holds no secret, so it can be printed; the token is given
/// to `DiscordREST` separately.
public struct DiscordRESTConfiguration: Sendable, Equatable {
    public static let defaultBaseURL = "https://discord.com/api/v10"
    /// Overrides the base URL, e.g. `http://127.0.0.1:PORT/api/v10` for the local emulator.
    public static let baseURLVariable = "DISCORD_API_URL"

    /// Up to and including the API version, without a trailing "/".
    public var baseURL: String
    /// Per attempt, until the whole response has arrived.
    public var requestTimeoutMs: Int64
    public var limits: RateLimitPolicy
    public var invalidRequests: InvalidRequestThresholds
    public var retry: RetryPolicy
    /// Larger responses fail as a transport error instead of filling memory.
    public var maxResponseBytes: Int

    public init(baseURL: String = DiscordRESTConfiguration.defaultBaseURL, requestTimeoutMs: Int64 = 15_000,
                limits: RateLimitPolicy = .discord, invalidRequests: InvalidRequestThresholds = .standard,
                retry: RetryPolicy = .standard, maxResponseBytes: Int = 32 * 1024 * 1024) {
        self.baseURL = baseURL
        self.requestTimeoutMs = max(1, requestTimeoutMs)
        self.limits = limits
        self.invalidRequests = invalidRequests
        self.retry = retry
        self.maxResponseBytes = max(1024, maxResponseBytes)
    }

    /// The defaults, with the base URL from DISCORD_API_URL when it is set and not empty.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        var configuration = Self()
        if let url = environment[baseURLVariable]?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            configuration.baseURL = url
        }
        return configuration
    }

    /// The base URL without a trailing "/", or why it cannot be used.
    package func checkedBaseURL() throws(DiscordRESTError) -> String {
        var text = baseURL.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
            throw .invalidConfiguration("base URL \"\(baseURL)\" is not an absolute http:// or https:// URL (\(Self.baseURLVariable); default \(Self.defaultBaseURL))")
        }
        guard url.query == nil, url.fragment == nil, url.user == nil, url.password == nil else {
            throw .invalidConfiguration("base URL \"\(baseURL)\" may not carry a query, a fragment or credentials")
        }
        return text
    }

    /// True when the token would travel unencrypted to another machine.
    package func isPlainTextToRemoteHost(_ checkedURL: String) -> Bool {
        guard let url = URLComponents(string: checkedURL), url.scheme?.lowercased() == "http" else { return false }
        return !["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host?.lowercased() ?? "")
    }
}
