import BotHostCore
import DiscordClient
import Logging
import NIOCore

/// Receives one guild's audio: datagrams from the voice socket (on its event loop) through the
/// receive pipeline (AEAD open → RTP → reorder → Opus decode) to the listening plugins, with the
/// speaker's user id. Frames wait briefly for their speaker to be named (the SSRC mapping may arrive
/// just after the first packets; see VoiceSpeakerAttribution). Speaking starts with a speaker's
/// first named frame and stops after 200 ms without a frame; then what the reorder buffer still
/// holds is flushed.
package final class VoiceReceiver: @unchecked Sendable {
    package static let speakingTimeoutNs: UInt64 = 200_000_000

    package let guildID: UInt64
    private let listeners: VoiceListeners
    private let logger: Logger

    // Confined to the event loop of the transport the datagrams come from.
    private var pipeline: VoiceReceivePipeline?
    private var pipelineTransport: ObjectIdentifier?
    private var lastHeardNs: [UInt32: UInt64] = [:]
    /// Speakers announced as speaking, with the user they were announced as.
    private var announced: [UInt32: UInt64] = [:]
    private var attribution = VoiceSpeakerAttribution()
    private var idleCheckScheduled = false
    private var undecryptable = 0

    package init(guildID: UInt64, listeners: VoiceListeners, logger: Logger) {
        self.guildID = guildID
        self.listeners = listeners
        self.logger = logger
    }

    package func receive(_ datagram: ByteBuffer, transport: VoiceTransport, session: VoiceSession) {
        guard let pipeline = pipeline(for: transport, session: session) else { return }
        let frames: [ReceivedVoiceFrame]
        do {
            frames = try datagram.withUnsafeReadableBytes { bytes in
                Result { () throws(VoiceReceiveError) in try pipeline.receive(bytes) }
            }.get()
        } catch {
            undecryptable += 1
            if undecryptable == 1 || undecryptable % 1000 == 0 {
                logger.debug("guild \(guildID): skipped \(undecryptable) voice datagram(s) that did not open: \(error)")
            }
            return
        }
        deliver(frames, session: session)
        scheduleIdleCheck(transport: transport, session: session)
    }

    private func deliver(_ frames: [ReceivedVoiceFrame], session: VoiceSession) {
        let now = MonotonicTime.nowNs()
        for frame in frames { lastHeardNs[frame.ssrc] = now }
        emit(attribution.attribute(frames, nowNs: now, userID: session.userID(forSSRC:)), session: session, announce: true)
    }

    /// Hands attributed frames to the listeners; a named speaker's first frame announces Speaking,
    /// unless the frames are the tail flushed after the speaker went quiet.
    private func emit(_ attributed: [VoiceSpeakerAttribution.Attributed], session: VoiceSession, announce: Bool) {
        for item in attributed {
            let frame = item.frame
            if announce, item.userID != 0, announced[frame.ssrc] == nil {
                announced[frame.ssrc] = item.userID
                listeners.publish(VoiceEventRecord(kind: .speaking, guildID: guildID, channelID: session.channelID,
                                                   userID: item.userID, speaking: 1))
            }
            listeners.deliver(ReceivedVoiceAudio(guildID: guildID, userID: item.userID, ssrc: frame.ssrc, timestamp: frame.timestamp,
                                                 sequence: frame.sequence, concealed: frame.isLost, pcm: frame.pcm,
                                                 opus: frame.opus ?? []))
        }
    }

    private func scheduleIdleCheck(transport: VoiceTransport, session: VoiceSession) {
        guard !idleCheckScheduled else { return }
        idleCheckScheduled = true
        transport.eventLoop.scheduleTask(in: .milliseconds(100)) { [self] in
            idleCheckScheduled = false
            let now = MonotonicTime.nowNs()
            emit(attribution.releaseDue(nowNs: now, userID: session.userID(forSSRC:)), session: session, announce: true)
            for (ssrc, heard) in lastHeardNs where now &- heard > Self.speakingTimeoutNs {
                lastHeardNs[ssrc] = nil
                if let pipeline {
                    let tail = attribution.attribute(pipeline.flush(ssrc: ssrc), nowNs: now, userID: session.userID(forSSRC:))
                    emit(tail, session: session, announce: false)
                }
                if let userID = announced.removeValue(forKey: ssrc) {
                    listeners.publish(VoiceEventRecord(kind: .speaking, guildID: guildID, channelID: session.channelID,
                                                       userID: userID, speaking: 0))
                }
            }
            if !lastHeardNs.isEmpty || attribution.isHolding { scheduleIdleCheck(transport: transport, session: session) }
        }
    }

    /// The pipeline for this transport; its frame transform opens each speaker's end-to-end
    /// encrypted (DAVE) frames with that speaker's key.
    private func pipeline(for transport: VoiceTransport, session: VoiceSession) -> VoiceReceivePipeline? {
        if pipelineTransport == ObjectIdentifier(transport), let pipeline { return pipeline }
        do {
            let cipher = try VoiceTransportCipher(mode: transport.mode, secretKey: transport.secretKey)
            let made = VoiceReceivePipeline(cipher: cipher, frameTransform: session.makeFrameTransform())
            pipeline = made
            pipelineTransport = ObjectIdentifier(transport)
            lastHeardNs.removeAll()
            announced.removeAll()
            attribution.reset()
            return made
        } catch {
            logger.error("guild \(guildID): cannot set up receiving: \(error)")
            return nil
        }
    }
}
