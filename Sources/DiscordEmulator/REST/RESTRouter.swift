/// The REST routes the emulator serves, matched from the path below `/api/v10`.
enum Route: Sendable, Equatable {
    case gateway
    case gatewayBot
    case currentUser
    case currentApplication
    case channel(UInt64)
    case channelMessages(UInt64)
    case channelMessage(channel: UInt64, message: UInt64)
    case globalCommands(application: UInt64)
    case guildCommands(application: UInt64, guild: UInt64)
    case interactionCallback(interaction: UInt64, token: String)
    case webhook(application: UInt64, token: String)
    /// `message` is a message id or `@original`.
    case webhookMessage(application: UInt64, token: String, message: String)

    static let apiPrefix = "/api/v10"

    static func match(path: String) -> Route? {
        guard path.hasPrefix(apiPrefix + "/") else { return nil }
        let segments = path.dropFirst(apiPrefix.count).split(separator: "/").map { PercentDecoding.decode(String($0)) }
        func id(_ index: Int) -> UInt64? { index < segments.count ? UInt64(segments[index]) : nil }
        switch segments.count {
        case 1 where segments[0] == "gateway": return .gateway
        case 2 where segments == ["gateway", "bot"]: return .gatewayBot
        case 2 where segments == ["users", "@me"]: return .currentUser
        case 2 where segments == ["applications", "@me"]: return .currentApplication
        case 3 where segments == ["oauth2", "applications", "@me"]: return .currentApplication
        case 2 where segments[0] == "channels": return id(1).map { .channel($0) }
        case 3 where segments[0] == "channels" && segments[2] == "messages": return id(1).map { .channelMessages($0) }
        case 4 where segments[0] == "channels" && segments[2] == "messages":
            guard let channel = id(1), let message = id(3) else { return nil }
            return .channelMessage(channel: channel, message: message)
        case 3 where segments[0] == "applications" && segments[2] == "commands":
            return id(1).map { .globalCommands(application: $0) }
        case 5 where segments[0] == "applications" && segments[2] == "guilds" && segments[4] == "commands":
            guard let application = id(1), let guild = id(3) else { return nil }
            return .guildCommands(application: application, guild: guild)
        case 4 where segments[0] == "interactions" && segments[3] == "callback":
            return id(1).map { .interactionCallback(interaction: $0, token: segments[2]) }
        case 3 where segments[0] == "webhooks":
            return id(1).map { .webhook(application: $0, token: segments[2]) }
        case 5 where segments[0] == "webhooks" && segments[3] == "messages":
            return id(1).map { .webhookMessage(application: $0, token: segments[2], message: segments[4]) }
        default: return nil
        }
    }

    /// Methods each route answers; anything else is 405.
    var methods: Set<String> {
        switch self {
        case .gateway, .gatewayBot, .currentUser, .currentApplication, .channel: ["GET"]
        case .channelMessages: ["GET", "POST"]
        case .channelMessage, .webhookMessage: ["GET", "PATCH", "DELETE"]
        case .globalCommands, .guildCommands: ["GET", "PUT"]
        case .interactionCallback, .webhook: ["POST"]
        }
    }

    /// Interaction endpoints authenticate with the interaction token, not the bot token.
    var needsBotToken: Bool {
        switch self {
        case .gateway, .interactionCallback, .webhook, .webhookMessage: false
        default: true
        }
    }

    /// Interaction callbacks and follow-ups do not count against the global limit.
    var exemptFromGlobalLimit: Bool {
        switch self {
        case .interactionCallback, .webhook, .webhookMessage: true
        default: false
        }
    }

    /// The top-level resource a bucket is scoped to.
    var majorParameter: String {
        switch self {
        case .channel(let c), .channelMessages(let c), .channelMessage(let c, _): "channel:\(c)"
        case .guildCommands(_, let g): "guild:\(g)"
        case .globalCommands(let a): "application:\(a)"
        case .interactionCallback(let i, _): "interaction:\(i)"
        case .webhook(let a, let t), .webhookMessage(let a, let t, _): "webhook:\(a):\(t)"
        case .gateway, .gatewayBot, .currentUser, .currentApplication: "-"
        }
    }
}
