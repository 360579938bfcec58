/// One REST request as the emulator received and answered it.
public struct RecordedRequest: Sendable {
    public var method: String
    /// The request target as sent, with its query (e.g. `/api/v10/channels/2001/messages?limit=5`).
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var status: Int
    public var responseHeaders: [(name: String, value: String)]
    public var responseBody: [UInt8]
    /// Emulator clock, Unix milliseconds.
    public var timeMs: Int64

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public func responseHeader(_ name: String) -> String? {
        responseHeaders.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    public var responseText: String { String(decoding: responseBody, as: UTF8.self) }
}

/// One gateway payload (or close frame) on one connection.
public struct RecordedGatewayFrame: Sendable {
    public enum Direction: Sendable, Equatable {
        case received
        case sent
    }

    public var connectionID: Int
    /// The connection was opened on READY's `resume_gateway_url` rather than the gateway URL.
    public var viaResumeURL: Bool
    /// The shard of the connection's session; nil before identify/resume succeeded.
    public var shard: Int?
    public var sessionID: String?
    public var direction: Direction
    /// nil for close frames and payloads that were not JSON objects with an `op`.
    public var op: Int?
    public var t: String?
    public var s: Int?
    /// The payload as JSON text, before compression.
    public var json: String
    /// Set for close frames.
    public var closeCode: UInt16?
    public var timeMs: Int64
}

/// Something the application answered to an interaction, whether or not it was accepted.
public struct RecordedInteractionResponse: Sendable {
    public enum Kind: Sendable, Equatable {
        case callback
        case followUp
        case editOriginal
        case deleteOriginal
        case editFollowUp
        case deleteFollowUp
    }

    public var interactionID: UInt64
    public var kind: Kind
    /// The callback type (1, 4, 5, 6, 7, 8, 9) for `.callback`; nil otherwise.
    public var type: Int?
    public var body: String
    /// The HTTP status the emulator answered.
    public var status: Int
    public var timeMs: Int64
}

/// An identify as the gateway judged it.
public struct RecordedIdentify: Sendable {
    public enum Outcome: Sendable, Equatable {
        case accepted(sessionID: String)
        /// Rejected with a close code (4004, 4010, 4011, 4013, 4014 …).
        case closed(code: UInt16)
        /// Refused with op 9, e.g. when the max_concurrency bucket was not free yet.
        case invalidSession
    }

    public var connectionID: Int
    public var shard: Int
    public var shardCount: Int
    public var intents: UInt64
    public var timeMs: Int64
    public var outcome: Outcome
    /// The connection came in on READY's resume_gateway_url rather than the gateway URL.
    public var viaResumeURL = false
}

/// A fault the tests injected, recorded when it took effect.
public struct RecordedFault: Sendable {
    public var description: String
    /// Gateway connections or REST requests it touched.
    public var affected: Int
    public var timeMs: Int64
}

/// A message as the emulated Discord stores it.
public struct EmulatedMessage: Sendable {
    public var id: UInt64
    public var channelID: UInt64
    public var guildID: UInt64?
    public var authorID: UInt64
    public var content: String
    /// The `embeds` array as JSON text.
    public var embedsJSON: String
    /// The `components` array as JSON text.
    public var componentsJSON: String
    public var flags: Int
    public var type: Int
    public var createdAtMs: Int64
    public var editedAtMs: Int64?
    public var editCount: Int
    public var interactionID: UInt64?
    /// The full message object as REST returns it.
    public var json: String
}

/// An application command as registered.
public struct EmulatedCommand: Sendable {
    public var id: UInt64
    public var guildID: UInt64?
    public var name: String
    /// 1 CHAT_INPUT, 2 USER, 3 MESSAGE.
    public var type: Int
    public var description: String
    /// The command object as GET returns it.
    public var json: String
}
