import PluginKit
import VoiceSessionsCore

/// Where users are in voice, from the gateway dispatches the host publishes on the bus. A user
/// with a session who leaves its channel (or moves to another) ends it.
extension VoiceSessionsPlugin {
    func subscribeToVoiceStates() throws {
        try host.bus.subscribe("discord.GUILD_CREATE") { message in self.guildCreated(message) }
        try host.bus.subscribe("discord.VOICE_STATE_UPDATE") { message in self.voiceStateUpdated(message) }
        try host.bus.subscribe("discord.GUILD_DELETE") { message in self.guildDeleted(message) }
    }

    private func guildCreated(_ message: BusMessage) {
        do {
            try voiceStates.apply(guildCreate: message.payload)
        } catch {
            host.log.warning("\(error)")
        }
    }

    private func voiceStateUpdated(_ message: BusMessage) {
        let change: VoiceStateChange?
        do {
            change = try voiceStates.apply(voiceStateUpdate: message.payload)
        } catch {
            host.log.warning("\(error)")
            return
        }
        guard let change else { return }
        let key = SessionKey(guildID: change.guildID, userID: change.userID)
        if let session = book.session(key), session.isActive, change.to != session.voiceChannelID {
            endSession(key, reason: .userLeft)
        }
    }

    private func guildDeleted(_ message: BusMessage) {
        struct Deleted: Decodable { let id: String }
        guard let deleted = try? message.decode(Deleted.self), let guild = UInt64(deleted.id) else { return }
        voiceStates.forget(guild: guild)
    }
}
