import DiscordClient
import Logging
import Synchronization

/// The host's voice as plugins use it (the voice_* calls of the ABI): one shared connection per
/// guild held by the plugins that joined it, outgoing audio paced and encrypted, incoming audio
/// decoded and fanned out, events. Built on `VoiceManager`, which owns the connections.
public final class VoiceService: Sendable {
    package let manager: VoiceManager
    package let listeners: VoiceListeners
    private let links = Mutex<[UInt64: GuildVoiceLink]>([:])
    private let logger: Logger

    /// `listeners`: the runtime's, so that plugins can subscribe before Discord connects.
    package init(manager: VoiceManager, listeners: VoiceListeners, logger: Logger) {
        self.manager = manager
        self.listeners = listeners
        self.logger = logger
    }

    private func link(_ guildID: UInt64) -> GuildVoiceLink {
        links.withLock { table in
            if let link = table[guildID] { return link }
            let link = GuildVoiceLink(guildID: guildID, manager: manager, listeners: listeners, logger: logger)
            table[guildID] = link
            return link
        }
    }

    /// Joins for `plugin`; returns the channel and the transport encryption mode.
    package func join(plugin: String, guildID: UInt64, channelID: UInt64, selfMute: Bool, selfDeaf: Bool) async throws -> VoiceSession {
        try await link(guildID).join(plugin: plugin, channelID: channelID, selfMute: selfMute, selfDeaf: selfDeaf)
    }

    package func leave(plugin: String, guildID: UInt64) async throws {
        guard let link = links.withLock({ $0[guildID] }) else { return }
        try await link.leave(plugin: plugin)
    }

    package func send(_ frame: OutgoingVoiceFrame, plugin: String, guildID: UInt64) throws(VoiceRefusal) {
        guard let link = links.withLock({ $0[guildID] }) else {
            throw VoiceRefusal.notInVoice("the bot is not in voice in guild \(guildID); voice_join first")
        }
        try link.send(frame, from: plugin)
    }

    package func stopSending(plugin: String, guildID: UInt64) {
        links.withLock { $0[guildID] }?.sender.stop(plugin: plugin)
    }

    /// A plugin stopped: its holds go at once (before it can start again and take new ones, which
    /// a later release would take with them), and the bot then leaves where nobody else holds the
    /// voice, beside the caller: leaving waits on Discord.
    package func release(plugin: String) {
        let held = links.withLock { table in table.values.filter { $0.holders.contains(plugin) } }
        let emptied = held.filter { $0.dropHold(of: plugin) }
        guard !emptied.isEmpty else { return }
        let logger = self.logger
        Task {
            for link in emptied {
                do { try await link.leaveIfUnheld() } catch {
                    logger.warning("leaving voice in guild \(link.guildID) after plugin \(plugin) stopped: \(error)")
                }
            }
        }
    }

    /// The guilds where the bot holds voice, and for whom (for status displays).
    public var holders: [UInt64: Set<String>] {
        links.withLock { $0.compactMapValues { $0.holders.isEmpty ? nil : $0.holders } }
    }

    public func shutdown() async {
        await manager.shutdown()
    }
}
