import Foundation

/// A bot token. Its description is redacted so that it can never reach a log line or an error
/// message by accident; only the REST and gateway clients read `secret`.
public struct DiscordToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let secret: String
    public init(_ secret: String) { self.secret = secret }
    public var description: String { "<token redacted>" }
    public var debugDescription: String { description }
}

/// How to reach Discord: the token and the base URLs (overridable, so the same binary runs against
/// Discord, a proxy, or the local emulator).
public struct DiscordSettings: Sendable {
    public static let defaultAPIBaseURL = "https://discord.com/api/v10"

    public var token: DiscordToken
    public var apiBaseURL: String
    /// nil: ask `GET /gateway/bot`.
    public var gatewayURL: String?
    public var commandGuilds: [UInt64]

    public init(token: DiscordToken, apiBaseURL: String = DiscordSettings.defaultAPIBaseURL, gatewayURL: String? = nil,
                commandGuilds: [UInt64] = []) {
        self.token = token
        self.apiBaseURL = apiBaseURL
        self.gatewayURL = gatewayURL
        self.commandGuilds = commandGuilds
    }

    public struct SettingsError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes DISCORD_TOKEN out of the process environment once it has been read, before any plugin
    /// is loaded: otherwise any plugin could `getenv` it, or read it from /proc/self/environ, and
    /// every child process would inherit it. The kernel shows /proc/self/environ from the process's
    /// original environment block, so the value is overwritten there in place, then unset.
    public static func removeTokenFromEnvironment(key: String = "DISCORD_TOKEN") {
        if let value = getenv(key) {
            memset(value, 0, strlen(value))
        }
        unsetenv(key)
    }

    /// Reads the token from `tokenFile` or DISCORD_TOKEN and the URLs from flags or
    /// DISCORD_API_URL / DISCORD_GATEWAY_URL. nil when no token is configured at all.
    public static func resolve(tokenFile: String?, apiURL: String?, gatewayURL: String?, commandGuilds: [UInt64],
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DiscordSettings? {
        let raw: String
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw SettingsError(description: "cannot read the token file \(tokenFile). Fix: put the bot token (from the Discord developer portal, Bot → Reset Token) alone in that file, readable by this user")
            }
            raw = String(decoding: data, as: UTF8.self)
        } else if let fromEnvironment = environment["DISCORD_TOKEN"] {
            raw = fromEnvironment
        } else {
            return nil
        }
        var token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if token.hasPrefix("Bot ") { token.removeFirst(4) }
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw SettingsError(description: "the Discord token \(tokenFile.map { "in \($0)" } ?? "in DISCORD_TOKEN") is empty or has spaces in it. Fix: paste the token alone, without quotes")
        }
        let api = apiURL ?? environment["DISCORD_API_URL"] ?? defaultAPIBaseURL
        guard let url = URL(string: api), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw SettingsError(description: "the Discord API URL \"\(api)\" is not an http(s) URL. Fix: e.g. DISCORD_API_URL=https://discord.com/api/v10")
        }
        let gateway = gatewayURL ?? environment["DISCORD_GATEWAY_URL"]
        if let gateway {
            guard let url = URL(string: gateway), let scheme = url.scheme, ["ws", "wss"].contains(scheme) else {
                throw SettingsError(description: "the gateway URL \"\(gateway)\" is not a ws:// or wss:// URL")
            }
        }
        return DiscordSettings(token: DiscordToken(token), apiBaseURL: api.hasSuffix("/") ? String(api.dropLast()) : api,
                               gatewayURL: gateway, commandGuilds: commandGuilds)
    }
}
