import Foundation

/// Which voice channel each user is in, per guild, learnt from the gateway: GUILD_CREATE lists the
/// guild's `voice_states` (needs the GUILDS intent), VOICE_STATE_UPDATE reports every change (needs
/// GUILD_VOICE_STATES). `/voice join` uses it to find the invoker's channel.
public struct VoiceStateBook: Sendable {
    private var channels: [UInt64: [UInt64: UInt64]] = [:]  // guild → user → channel

    public init() {}

    /// The voice channel `user` is in, in `guild`.
    public func channel(of user: UInt64, inGuild guild: UInt64) -> UInt64? {
        channels[guild]?[user]
    }

    /// A GUILD_CREATE dispatch (`d`): replaces what was known of the guild. An unavailable guild
    /// (an outage stub without voice states) changes nothing.
    public mutating func apply(guildCreate payload: [UInt8]) throws(GatewayPayloadError) {
        let guild = try decode(GuildCreate.self, payload, "GUILD_CREATE")
        guard let id = UInt64(guild.id) else { throw GatewayPayloadError("GUILD_CREATE has no readable \"id\"") }
        guard guild.unavailable != true, let states = guild.voice_states else { return }
        var users: [UInt64: UInt64] = [:]
        for state in states {
            if let user = UInt64(state.user_id), let channel = state.channel_id.flatMap({ UInt64($0) }) {
                users[user] = channel
            }
        }
        channels[id] = users
    }

    /// A VOICE_STATE_UPDATE dispatch (`d`): returns the change, or nil when it was not a change of
    /// channel (mute, deafen, stream flags) or concerns no guild.
    @discardableResult
    public mutating func apply(voiceStateUpdate payload: [UInt8]) throws(GatewayPayloadError) -> VoiceStateChange? {
        let state = try decode(VoiceStateUpdate.self, payload, "VOICE_STATE_UPDATE")
        guard let guildText = state.guild_id, let guild = UInt64(guildText) else { return nil }
        guard let user = UInt64(state.user_id) else {
            throw GatewayPayloadError("VOICE_STATE_UPDATE has no readable \"user_id\"")
        }
        let old = channels[guild]?[user]
        let new = state.channel_id.flatMap { UInt64($0) }
        guard old != new else { return nil }
        channels[guild, default: [:]][user] = new
        return VoiceStateChange(guildID: guild, userID: user, from: old, to: new)
    }

    /// A GUILD_DELETE: the bot left the guild, or it became unavailable.
    public mutating func forget(guild: UInt64) {
        channels[guild] = nil
    }

    private func decode<T: Decodable>(_ type: T.Type, _ payload: [UInt8], _ event: String) throws(GatewayPayloadError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(payload))
        } catch {
            throw GatewayPayloadError("unreadable \(event) payload: \(error)")
        }
    }

    // Only the fields the book needs; Discord sends many more.
    private struct GuildCreate: Decodable {
        let id: String
        let unavailable: Bool?
        let voice_states: [VoiceState]?
    }

    private struct VoiceState: Decodable {
        let user_id: String
        let channel_id: String?
    }

    private struct VoiceStateUpdate: Decodable {
        let guild_id: String?
        let user_id: String
        let channel_id: String?
    }
}

/// A user joined, left or moved between voice channels.
public struct VoiceStateChange: Sendable, Equatable {
    public let guildID: UInt64
    public let userID: UInt64
    public let from: UInt64?
    public let to: UInt64?

    public init(guildID: UInt64, userID: UInt64, from: UInt64?, to: UInt64?) {
        self.guildID = guildID
        self.userID = userID
        self.from = from
        self.to = to
    }
}

/// A gateway dispatch the book could not read.
public struct GatewayPayloadError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
