/// The payloads the client writes on the voice WebSocket, and op 4 for the main gateway. Built as
/// bytes directly (small fixed shapes; free text escaped), as the main gateway's payloads are.
package enum VoiceClientPayload {
    /// `maxDAVEProtocolVersion` 0 tells the server this client takes no part in end-to-end encryption.
    package static func identify(serverID: UInt64, userID: UInt64, sessionID: String, token: String, maxDAVEProtocolVersion: Int) -> [UInt8] {
        var out = Array("{\"op\":0,\"d\":{\"server_id\":\"\(serverID)\",\"user_id\":\"\(userID)\",\"session_id\":".utf8)
        GatewayPayload.appendQuoted(sessionID, to: &out)
        out += Array(",\"token\":".utf8)
        GatewayPayload.appendQuoted(token, to: &out)
        out += Array(",\"max_dave_protocol_version\":\(maxDAVEProtocolVersion)}}".utf8)
        return out
    }

    package static func resume(serverID: UInt64, sessionID: String, token: String, sequenceAck: Int) -> [UInt8] {
        var out = Array("{\"op\":7,\"d\":{\"server_id\":\"\(serverID)\",\"session_id\":".utf8)
        GatewayPayload.appendQuoted(sessionID, to: &out)
        out += Array(",\"token\":".utf8)
        GatewayPayload.appendQuoted(token, to: &out)
        out += Array(",\"seq_ack\":\(sequenceAck)}}".utf8)
        return out
    }

    package static func selectProtocol(address: VoiceExternalAddress, mode: VoiceEncryptionMode) -> [UInt8] {
        var out = Array("{\"op\":1,\"d\":{\"protocol\":\"udp\",\"data\":{\"address\":".utf8)
        GatewayPayload.appendQuoted(address.ip, to: &out)
        out += Array(",\"port\":\(address.port),\"mode\":\"\(mode.rawValue)\"}}}".utf8)
        return out
    }

    /// `nonce` is the time in milliseconds; `sequenceAck` the last `seq` the server sent (-1: none yet).
    package static func heartbeat(nonce: Int64, sequenceAck: Int) -> [UInt8] {
        Array("{\"op\":3,\"d\":{\"t\":\(nonce),\"seq_ack\":\(sequenceAck)}}".utf8)
    }

    package static func speaking(_ flags: VoiceSpeakingFlags, ssrc: UInt32) -> [UInt8] {
        Array("{\"op\":5,\"d\":{\"speaking\":\(flags.rawValue),\"delay\":0,\"ssrc\":\(ssrc)}}".utf8)
    }

    /// Op 4's `d` for the main gateway: join (or move to) `channelID`, or leave with nil.
    package static func voiceStateUpdate(guildID: UInt64, channelID: UInt64?, selfMute: Bool, selfDeaf: Bool) -> [UInt8] {
        let channel = channelID.map { "\"\($0)\"" } ?? "null"
        return Array("{\"guild_id\":\"\(guildID)\",\"channel_id\":\(channel),\"self_mute\":\(selfMute),\"self_deaf\":\(selfDeaf)}".utf8)
    }
}

/// Op 5's `speaking` bits. Send a non-empty set before the first audio packet, and the empty set
/// when the audio stops.
public struct VoiceSpeakingFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let microphone = VoiceSpeakingFlags(rawValue: 1 << 0)
    public static let soundshare = VoiceSpeakingFlags(rawValue: 1 << 1)
    public static let priority = VoiceSpeakingFlags(rawValue: 1 << 2)
}
