/// The voice gateway's messages, and VOICE_SERVER_UPDATE.
enum VoiceGatewayPayloads {
    /// `{"op":…,"d":…,"seq":…}`; `seq` is left out only where no session exists yet.
    static func envelope(op: Int, d: WireJSON, seq: Int?) -> [UInt8] {
        var payload: WireJSON = ["op": .int(Int64(op)), "d": d]
        if let seq { payload = payload.setting("seq", .int(Int64(seq))) }
        return payload.bytes
    }

    static func hello(heartbeatIntervalMs: Int) -> WireJSON {
        ["v": 8, "heartbeat_interval": .double(Double(heartbeatIntervalMs))]
    }

    static func ready(ssrc: UInt32, ip: String, port: Int, modes: [VoiceEncryptionMode]) -> WireJSON {
        [
            "ssrc": .int(Int64(ssrc)),
            "ip": .string(ip),
            "port": .int(Int64(port)),
            "modes": .array(modes.map { .string($0.rawValue) }),
            "experiments": [],
        ]
    }

    static func sessionDescription(mode: VoiceEncryptionMode, secretKey: [UInt8], mediaSessionID: String, daveProtocolVersion: Int) -> WireJSON {
        [
            "audio_codec": "opus",
            "video_codec": "H264",
            "media_session_id": .string(mediaSessionID),
            "mode": .string(mode.rawValue),
            "secret_key": .array(secretKey.map { .int(Int64($0)) }),
            "dave_protocol_version": .int(Int64(daveProtocolVersion)),
        ]
    }

    static func speaking(userID: UInt64, ssrc: UInt32, speaking: Int) -> WireJSON {
        ["user_id": .snowflake(userID), "ssrc": .int(Int64(ssrc)), "speaking": .int(Int64(speaking))]
    }

    static func clientsConnect(_ userIDs: [UInt64]) -> WireJSON {
        ["user_ids": .array(userIDs.map(WireJSON.snowflake))]
    }

    static func clientDisconnect(_ userID: UInt64) -> WireJSON {
        ["user_id": .snowflake(userID)]
    }

    /// VOICE_SERVER_UPDATE's `d`; a nil endpoint means the voice server is being (re)allocated.
    static func voiceServerUpdate(token: String, guildID: UInt64, endpoint: String?) -> WireJSON {
        ["token": .string(token), "guild_id": .snowflake(guildID), "endpoint": endpoint.map(WireJSON.string) ?? .null]
    }
}
