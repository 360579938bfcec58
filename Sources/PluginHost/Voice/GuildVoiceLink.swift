import DiscordClient
import Logging
import Synchronization

/// The bot's voice in one guild as plugins share it: which plugins hold it, the session, the
/// sender and receiver, and the events that follow the session's state.
package final class GuildVoiceLink: Sendable {
    private struct State {
        var holders: Set<String> = []
        var session: VoiceSession?
        var channelID: UInt64 = 0
        /// A join on its way, so that a second plugin asking for the same channel waits for it.
        var joining: (channelID: UInt64, task: Task<VoiceSession, any Error>)?
        var watcher: Task<Void, Never>?
    }

    package let guildID: UInt64
    package let sender: VoiceSender
    package let receiver: VoiceReceiver
    private let state = Mutex(State())
    private let manager: VoiceManager
    private let listeners: VoiceListeners
    private let logger: Logger

    package init(guildID: UInt64, manager: VoiceManager, listeners: VoiceListeners, logger: Logger) {
        self.guildID = guildID
        self.manager = manager
        self.listeners = listeners
        self.logger = logger
        sender = VoiceSender(guildID: guildID, logger: logger) { _ in
            listeners.publish(VoiceEventRecord(kind: .sendDrained, guildID: guildID))
        }
        receiver = VoiceReceiver(guildID: guildID, listeners: listeners, logger: logger)
    }

    package var holders: Set<String> { state.withLock { $0.holders } }

    /// Joins (or holds) `channelID` for `plugin`; returns the session once audio can flow.
    package func join(plugin: String, channelID: UInt64, selfMute: Bool, selfDeaf: Bool) async throws -> VoiceSession {
        enum Step { case ready(VoiceSession), wait(Task<VoiceSession, any Error>) }
        let manager = self.manager, guildID = self.guildID
        let step = try state.withLock { s throws(VoiceRefusal) -> Step in
            let others = s.holders.subtracting([plugin])
            if let session = s.session, session.state.isConnected, s.channelID == channelID {
                s.holders.insert(plugin)
                return .ready(session)
            }
            if !others.isEmpty, s.channelID != channelID {
                throw VoiceRefusal.heldByAnother("the bot's voice in guild \(guildID) is held in channel \(s.channelID) by \(others.sorted().joined(separator: ", ")); only a sole holder can move it")
            }
            if let joining = s.joining, joining.channelID == channelID { return .wait(joining.task) }
            let task = Task { try await manager.join(guildID: guildID, channelID: channelID, selfMute: selfMute, selfDeaf: selfDeaf) }
            s.joining = (channelID, task)
            return .wait(task)
        }
        let session: VoiceSession
        switch step {
        case .ready(let ready): return ready
        case .wait(let task):
            do { session = try await task.value } catch {
                state.withLock { s in if s.joining?.task == task { s.joining = nil } }
                throw error
            }
        }
        let (isNew, moved) = state.withLock { s -> (Bool, Bool) in
            s.holders.insert(plugin)
            s.joining = nil
            let isNew = s.session !== session
            let moved = !isNew && s.channelID != channelID
            s.session = session
            s.channelID = session.channelID
            return (isNew, moved)
        }
        if isNew {
            attach(session)
            listeners.publish(VoiceEventRecord(kind: .connected, guildID: guildID, channelID: session.channelID))
        } else if moved {
            listeners.publish(VoiceEventRecord(kind: .moved, guildID: guildID, channelID: session.channelID))
        }
        return session
    }

    /// Releases `plugin`'s hold; the bot leaves when nobody holds the guild's voice.
    package func leave(plugin: String) async throws {
        if dropHold(of: plugin) { try await manager.leave(guildID: guildID) }
    }

    /// Takes `plugin`'s hold away now (and its queued audio); true when nobody holds the voice
    /// any more.
    package func dropHold(of plugin: String) -> Bool {
        let last = state.withLock { s -> Bool in
            guard s.holders.remove(plugin) != nil else { return false }
            return s.holders.isEmpty
        }
        sender.stop(plugin: plugin)
        return last
    }

    /// Leaves the channel unless someone has taken a hold since it was emptied.
    package func leaveIfUnheld() async throws {
        guard holders.isEmpty else { return }
        try await manager.leave(guildID: guildID)
    }

    package func send(_ frame: OutgoingVoiceFrame, from plugin: String) throws(VoiceRefusal) {
        guard holders.contains(plugin) else {
            throw VoiceRefusal.notInVoice("plugin \(plugin) does not hold the voice of guild \(guildID); voice_join first")
        }
        try sender.enqueue(frame, from: plugin)
    }

    /// Follows the session: datagrams to the receiver, state changes to events, the end to cleanup.
    private func attach(_ session: VoiceSession) {
        sender.bind(session)
        let receiver = self.receiver
        session.onDatagram { datagram, transport in receiver.receive(datagram, transport: transport, session: session) }
        let listeners = self.listeners
        let guildID = self.guildID
        session.onEndToEndChange { [weak session] status in
            listeners.publish(VoiceEventRecord(kind: .encryption, guildID: guildID, channelID: session?.channelID ?? 0, reason: "\(status)"))
        }
        let watcher = Task { [weak self] in
            var lastChannel = session.channelID
            var reconnecting = false
            for await change in session.stateChanges() {
                guard let self else { return }
                switch change {
                case .connecting, .resuming:
                    if !reconnecting {
                        reconnecting = true
                        listeners.publish(VoiceEventRecord(kind: .reconnecting, guildID: guildID, channelID: lastChannel,
                                                           reason: change == .resuming ? "the voice connection dropped; resuming" : "connecting to a new voice server"))
                    }
                case .connected:
                    let channel = session.channelID
                    if channel != lastChannel {
                        lastChannel = channel
                        state.withLock { $0.channelID = channel }
                        listeners.publish(VoiceEventRecord(kind: .moved, guildID: guildID, channelID: channel))
                    } else if reconnecting {
                        listeners.publish(VoiceEventRecord(kind: .connected, guildID: guildID, channelID: channel))
                    }
                    reconnecting = false
                case .disconnected(let reason):
                    ended(session, reason: "\(reason)")
                    return
                }
            }
        }
        state.withLock { s in
            s.watcher?.cancel()
            s.watcher = watcher
        }
    }

    private func ended(_ session: VoiceSession, reason: String) {
        let current = state.withLock { s -> Bool in
            guard s.session === session else { return false }
            s.session = nil
            s.holders.removeAll()
            s.channelID = 0
            s.watcher = nil
            return true
        }
        guard current else { return }
        sender.bind(nil)
        session.onDatagram(nil)
        logger.info("voice in guild \(guildID) ended: \(reason)")
        listeners.publish(VoiceEventRecord(kind: .disconnected, guildID: guildID, reason: reason))
    }
}
