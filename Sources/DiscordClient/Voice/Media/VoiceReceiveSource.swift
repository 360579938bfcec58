import BotHostCore

/// The receive state of one SSRC: its reorder buffer, its decoder (lazily created, decoding is
/// stateful per stream) and what is needed to time and conceal lost slots.
package final class VoiceReceiveSource {
    package let ssrc: UInt32
    package var buffer: VoiceReorderBuffer
    package var decoder: OpusFrameDecoder?
    /// Pipeline-wide datagram count at this source's last packet, for evicting the least active.
    package var lastActivity: UInt64 = 0
    package var lastTimestamp: UInt32?
    /// Samples per channel of the last packet (960 for 20 ms), the step for estimating timestamps.
    package var lastDuration: UInt32 = UInt32(VoiceAudioFormat.samplesPerFrame)
    /// Lost slots in a row so far, against the concealment limit.
    package var consecutiveLost = 0

    package init(ssrc: UInt32, reorderDepth: Int, restartDistance: Int) {
        self.ssrc = ssrc
        self.buffer = VoiceReorderBuffer(depth: reorderDepth, restartDistance: restartDistance)
    }
}
