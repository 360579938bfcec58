import BotHostCore

/// What voice reads from main-gateway dispatches (READY comes decoded, as `ReadyEvent`). Only
/// top-level members are decoded; the rest (a voice state's member object) is skipped unbuilt.
package enum VoiceDispatchFields {
    /// VOICE_STATE_UPDATE: someone's voice state; voice cares about the bot's own.
    package struct VoiceState: Equatable {
        package var guildID: UInt64?
        package var channelID: UInt64?
        package var userID: UInt64
        package var sessionID: String

        package init(guildID: UInt64? = nil, channelID: UInt64? = nil, userID: UInt64, sessionID: String) {
            self.guildID = guildID
            self.channelID = channelID
            self.userID = userID
            self.sessionID = sessionID
        }
    }

    /// VOICE_SERVER_UPDATE: `endpoint` nil means the voice server is being reallocated.
    package struct VoiceServer: Equatable {
        package var guildID: UInt64
        package var token: String
        package var endpoint: String?

        package init(guildID: UInt64, token: String, endpoint: String? = nil) {
            self.guildID = guildID
            self.token = token
            self.endpoint = endpoint
        }
    }

    package static func voiceState(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> VoiceState {
        var guildID: UInt64?
        var channelID: UInt64?
        var userID: UInt64?
        var sessionID: String?
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            switch key {
            case "guild_id": guildID = s.readNull() ? nil : try s.readSnowflake()
            case "channel_id": channelID = s.readNull() ? nil : try s.readSnowflake()
            case "user_id": userID = try s.readSnowflake()
            case "session_id": sessionID = try s.readString()
            default: try s.skipValue()
            }
        }
        guard let userID, let sessionID else {
            throw JSONScanError(offset: 0, expected: "VOICE_STATE_UPDATE with user_id and session_id")
        }
        return VoiceState(guildID: guildID, channelID: channelID, userID: userID, sessionID: sessionID)
    }

    package static func voiceServer(_ data: ArraySlice<UInt8>) throws(JSONScanError) -> VoiceServer {
        var guildID: UInt64?
        var token: String?
        var endpoint: String?
        var scanner = JSONScanner(data)
        try scanner.scanObject { (key, s) throws(JSONScanError) in
            switch key {
            case "guild_id": guildID = try s.readSnowflake()
            case "token": token = try s.readString()
            case "endpoint": endpoint = s.readNull() ? nil : try s.readString()
            default: try s.skipValue()
            }
        }
        guard let guildID, let token else {
            throw JSONScanError(offset: 0, expected: "VOICE_SERVER_UPDATE with guild_id and token")
        }
        // An empty endpoint is as unusable as a null one.
        return VoiceServer(guildID: guildID, token: token, endpoint: endpoint?.isEmpty == true ? nil : endpoint)
    }
}
