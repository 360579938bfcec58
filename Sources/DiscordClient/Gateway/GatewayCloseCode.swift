/// What a shard does after its connection ends.
package enum GatewayCloseAction: Equatable {
    /// Reconnect to `resume_gateway_url` and resume the session.
    case resume
    /// The session is gone: reconnect to the original URL and identify again.
    case identify
    /// Retrying cannot help; the shard stops with this error.
    case stop(GatewayError)
}

/// Close codes: which ones allow a resume, which need a new session, and which are final.
package enum GatewayCloseCode {
    /// What the client sends to drop a connection but keep the session (zombie, op 7): anything
    /// other than 1000/1001, which would end the session.
    package static let reconnecting: UInt16 = 4900

    /// `code` is nil when the socket dropped without a close frame.
    package static func action(for code: Int?, shardID: Int, shardCount: Int, intents: UInt64) -> GatewayCloseAction {
        guard let code else { return .resume }
        switch code {
        case 4004:
            return .stop(.fatalClose(code: code, message: "authentication failed: the token is invalid (reset or mistyped); set the bot token from the developer portal"))
        case 4010:
            return .stop(.fatalClose(code: code, message: "invalid shard: shard [\(shardID), \(shardCount)] is not valid; let the host pick the shard count or configure a count above every shard id"))
        case 4011:
            return .stop(.fatalClose(code: code, message: "sharding required: the bot is in too many guilds for \(shardCount) shard(s); use Discord's recommended shard count or configure more shards"))
        case 4012:
            return .stop(.fatalClose(code: code, message: "invalid API version: the gateway refused v10"))
        case 4013:
            return .stop(.fatalClose(code: code, message: "invalid intents: the intents value \(intents) (0x\(String(intents, radix: 16))) is not a valid bitfield; check the intents the enabled plugins declare"))
        case 4014:
            let privileged = GatewayIntents.privilegedNames(in: intents)
            let which = privileged.isEmpty ? "privileged intents" : "privileged intents " + privileged.joined(separator: ", ")
            return .stop(.fatalClose(code: code, message: "disallowed intents: enable the \(which) in the developer portal (Bot → Privileged Gateway Intents), or disable the plugins that need them"))
        case 4007, 4009:
            // Invalid seq / session timed out: the session cannot be resumed.
            return .identify
        default:
            // 1000/1001 from the server, 4000–4003, 4005, 4008 and anything unknown: try to resume; if
            // the session is gone Discord answers with op 9 and the shard identifies afresh.
            return .resume
        }
    }
}

/// The privileged intent bits, for messages that have to name them.
package enum GatewayIntents {
    package static let privileged: [(bit: UInt64, name: String)] = [
        (1 << 1, "GUILD_MEMBERS"), (1 << 8, "GUILD_PRESENCES"), (1 << 15, "MESSAGE_CONTENT"),
    ]

    package static func privilegedNames(in intents: UInt64) -> [String] {
        privileged.filter { intents & $0.bit != 0 }.map(\.name)
    }
}
