import PluginKit
import VoiceSessionsCore

/// What the plugin tells others: bus events, and messages in a session's text channel.
extension VoiceSessionsPlugin {
    func publish(_ topic: String, _ payload: [UInt8]) {
        do {
            try host.bus.publish(topic, payload)
        } catch {
            host.log.warning("could not publish \(topic): \(error)")
        }
    }

    /// Posts `text` in the session's text channel (the channel of its `/voice join`), mentioning
    /// only the session's user. Without Discord REST (a host with no Discord connection) the text
    /// goes to the log instead.
    func notify(_ session: VoiceSession, _ text: String) {
        guard host.discord.isAvailable else {
            host.log.info("notice for \(session.key): \(text)")
            return
        }
        let message = ChannelMessage(content: text, allowed_mentions: .init(users: [String(session.key.userID)]))
        let path = "/channels/\(session.textChannelID)/messages"
        spawn { plugin in
            do {
                let response = try await plugin.host.discord.request("POST", path, json: message)
                if !response.isSuccess {
                    plugin.host.log.warning("Discord refused a notice in channel \(session.textChannelID): HTTP \(response.status) \(response.text)")
                }
            } catch {
                plugin.host.log.warning("could not post a notice in channel \(session.textChannelID): \(error)")
            }
        }
    }
}

/// A message body: only the session's user may be pinged by it.
private struct ChannelMessage: Encodable, Sendable {
    struct AllowedMentions: Encodable, Sendable {
        let users: [String]
    }

    let content: String
    let allowed_mentions: AllowedMentions
}
