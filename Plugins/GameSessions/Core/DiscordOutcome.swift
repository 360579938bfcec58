import StrictJSON

/// What Discord's answer to a message create, edit or delete means for the post.
public enum DiscordOutcome: Sendable, Equatable {
    /// 2xx: the message exists (its id) or was deleted.
    case done(messageID: UInt64?)
    /// 404 Unknown Message (10008): someone deleted it.
    case unknownMessage
    /// 30046: the message is over an hour old and has used its edits; only a new message will do.
    case tooOldToEdit
    /// The channel is gone or the bot may not post there (10003, 50001, 50013, 403).
    case channelUnavailable(String)
    /// 429 that the host's limiter passed on.
    case rateLimited(retryAfterMs: Int64)
    /// 5xx: Discord had trouble; the same call is retried later.
    case serverTrouble(String)
    /// Another 4xx: Discord refused this body; sending it again would fail again.
    case rejected(String)

    public static func classify(status: Int, body: [UInt8]) -> DiscordOutcome {
        let json = try? FeedJSONParser.parse(body)
        let code: Int64? = if case .integer(let value)? = json?["code"] { value } else { nil }
        let message = json?["message"]?.stringValue ?? String(decoding: body.prefix(200), as: UTF8.self)
        switch status {
        case 200..<300:
            let id = json?["id"]?.stringValue.flatMap(Snowflake.parse)
            return .done(messageID: id)
        case 429:
            let seconds: Double? = switch json?["retry_after"] {
            case .number(let value)?: value
            case .integer(let value)?: Double(value)
            default: nil
            }
            return .rateLimited(retryAfterMs: Int64(((seconds ?? 1) * 1000).rounded(.up)))
        case 500...:
            return .serverTrouble("HTTP \(status): \(message)")
        default:
            switch code {
            case 10008: return .unknownMessage
            case 30046: return .tooOldToEdit
            case 10003, 50001, 50013: return .channelUnavailable("\(message) (\(code ?? 0))")
            default:
                if status == 403 { return .channelUnavailable("HTTP 403: \(message)") }
                return .rejected("HTTP \(status)\(code.map { " code \($0)" } ?? ""): \(message)")
            }
        }
    }
}
