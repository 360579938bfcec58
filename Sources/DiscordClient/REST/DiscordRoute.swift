/// One Discord API request target: the method, the concrete path, and what the rate limiter keys on.
///
/// Built from a method and a relative API path ("/channels/123/messages?limit=5"). Snowflakes become
/// named parameters and secrets (webhook and interaction tokens) become placeholders, so the
/// template ("/channels/{channel_id}/messages") is safe to log and shared by every channel, while
/// the major parameter ("123") keeps each channel's bucket apart, as Discord does.
public struct DiscordRoute: Sendable, Hashable {
    public let method: String
    /// The path as sent, query included.
    public let path: String
    /// The path with parameters named and the query dropped.
    public let template: String
    /// The value of the route's major parameter (channel_id, guild_id, webhook_id + token,
    /// interaction id + token), which splits one bucket hash into separate buckets.
    public let majorParameter: String?

    /// Longer paths are never legitimate API paths.
    package static let maxPathLength = 2048
    package static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    public init(_ method: String, _ path: String) throws(DiscordRESTError) {
        let method = method.uppercased()
        guard Self.methods.contains(method) else {
            throw .invalidRoute("method \"\(method)\" is not one of GET, POST, PUT, PATCH, DELETE")
        }
        let shape = RouteShape(try RoutePathSyntax.segments(of: path))
        self.method = method
        self.path = path
        self.template = shape.template
        self.majorParameter = shape.major
    }

    /// Method and template: the rate limiter's name for "the same endpoint".
    public var key: String { "\(method) \(template)" }

    /// Interaction callbacks are exempt from the global limit (Discord's rule).
    public var isInteractionCallback: Bool {
        method == "POST" && template == "/interactions/{interaction_id}/{interaction_token}/callback"
    }

    /// Requests the invalid-request guard still lets through when it refuses the rest: answering a
    /// user (the interaction callback, editing the original response) and finding the gateway.
    public var isEssential: Bool {
        isInteractionCallback
            || template.hasPrefix("/webhooks/{webhook_id}/{webhook_token}/messages/@original")
            || (method == "GET" && template == "/gateway/bot")
    }

    /// `POST /channels/{id}/messages`: the one create the client makes retry-safe with a nonce.
    package var isMessageCreate: Bool { method == "POST" && template == "/channels/{channel_id}/messages" }
}

/// Names the parameters of a checked path and finds its major parameter.
private struct RouteShape {
    var template = ""
    var major: String?

    /// The parameter a snowflake after each collection segment stands for.
    private static let idNames: [String: String] = [
        "channels": "channel_id", "guilds": "guild_id", "webhooks": "webhook_id",
        "messages": "message_id", "pins": "message_id",
        "users": "user_id", "members": "user_id", "bans": "user_id", "recipients": "user_id",
        "thread-members": "user_id", "roles": "role_id", "emojis": "emoji_id", "stickers": "sticker_id",
        "applications": "application_id", "commands": "command_id", "interactions": "interaction_id",
        "permissions": "overwrite_id", "integrations": "integration_id",
        "scheduled-events": "guild_scheduled_event_id", "rules": "auto_moderation_rule_id",
        "soundboard-sounds": "sound_id", "stage-instances": "channel_id", "entitlements": "entitlement_id",
        "skus": "sku_id", "subscriptions": "subscription_id", "answers": "answer_id",
    ]
    /// Segments whose next segment is a free-form value, not a literal.
    private static let valueNames: [String: String] = [
        "reactions": "emoji", "invites": "invite_code", "templates": "template_code",
    ]
    private static let majorNames: Set<String> = ["channel_id", "guild_id"]

    init(_ segments: [Substring]) {
        var pieces: [String] = []
        var previous: String?  // the template piece before this segment
        var pendingSecret: (name: String, id: String)?  // webhook/interaction id awaiting its token
        for segment in segments {
            let text = String(segment)
            let piece: String
            if let secret = pendingSecret {
                // The segment after a webhook or interaction id is its token: a secret, never logged.
                piece = secret.name == "webhook_id" ? "{webhook_token}" : "{interaction_token}"
                if major == nil || major == secret.id { major = "\(secret.id)/\(text)" }
                pendingSecret = nil
            } else if Self.isSnowflake(segment) {
                let name = previous == "{emoji}" ? "user_id" : previous.flatMap { Self.idNames[$0] } ?? "id"
                piece = "{\(name)}"
                if major == nil, Self.majorNames.contains(name) { major = text }
                if name == "webhook_id" || name == "interaction_id" {
                    if major == nil { major = text }
                    pendingSecret = (name, text)
                }
            } else if let previous, let name = Self.valueNames[previous] {
                piece = "{\(name)}"
            } else {
                piece = text
            }
            pieces.append(piece)
            previous = piece
        }
        template = "/" + pieces.joined(separator: "/")
    }

    private static func isSnowflake(_ segment: Substring) -> Bool {
        (1...20).contains(segment.utf8.count) && segment.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
