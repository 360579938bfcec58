import Synchronization

/// The plugins listening to voice: audio subscribers and event subscribers, each for one guild or
/// for all (guild 0). Delivery goes through the closure the ABI layer registered, which queues the
/// callback on the plugin's executor.
package final class VoiceListeners: Sendable {
    package struct AudioListener: Sendable {
        package let guildID: UInt64
        package let format: VoiceAudioKind
        /// Returns false when the plugin's queue was full and the frame was dropped.
        package let deliver: @Sendable (ReceivedVoiceAudio) -> Bool
    }
    package struct EventListener: Sendable {
        package let guildID: UInt64
        package let deliver: @Sendable (VoiceEventRecord) -> Void

        package init(guildID: UInt64, deliver: @escaping @Sendable (VoiceEventRecord) -> Void) {
            self.guildID = guildID
            self.deliver = deliver
        }
    }

    private struct State {
        var audio: [UInt64: AudioListener] = [:]
        var events: [UInt64: EventListener] = [:]
    }
    private let state = Mutex(State())
    /// Frames a slow subscriber lost (its queue was full).
    package let droppedFrames = Atomic<UInt64>(0)

    package func add(audio listener: AudioListener, id: UInt64) { state.withLock { $0.audio[id] = listener } }
    package func add(events listener: EventListener, id: UInt64) { state.withLock { $0.events[id] = listener } }
    package func remove(_ id: UInt64) {
        state.withLock { s in
            s.audio[id] = nil
            s.events[id] = nil
        }
    }

    package func publish(_ event: VoiceEventRecord) {
        let targets = state.withLock { s in s.events.values.filter { $0.guildID == 0 || $0.guildID == event.guildID } }
        for target in targets { target.deliver(event) }
    }

    /// Whether anyone listens to the guild's audio (decoding can be skipped otherwise).
    package func wantsAudio(guildID: UInt64) -> Bool {
        state.withLock { s in s.audio.values.contains { $0.guildID == 0 || $0.guildID == guildID } }
    }

    package func deliver(_ frame: ReceivedVoiceAudio) {
        let targets = state.withLock { s in s.audio.values.filter { $0.guildID == 0 || $0.guildID == frame.guildID } }
        for target in targets where !target.deliver(frame) {
            droppedFrames.add(1, ordering: .relaxed)
        }
    }
}
