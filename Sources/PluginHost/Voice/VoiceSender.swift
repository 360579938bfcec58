import BotHostCore
import DiscordClient
import Logging
import NIOCore
import Synchronization

/// Sends one guild's outgoing audio: a bounded queue filled by plugins (one sending plugin at a
/// time), drained every 20 ms by a pacer on the voice socket's event loop — whose timers are
/// precise — through the send pipeline (Opus → frame transform → RTP → AEAD).
///
/// Before the first frame of a burst the bot says Speaking; when the queue runs dry it sends the
/// five silence frames Discord expects, stops speaking and reports the queue drained.
package final class VoiceSender: @unchecked Sendable {
    /// 10 s of Opus (≈ 160 B a frame): enough to smooth a plugin's reads, small enough to stop
    /// promptly. PCM is 3 840 B a frame, so it is held to 0.5 s, which keeps a session's memory
    /// within its budget; a PCM sender refills every 100 ms or so.
    package static let capacity = 500
    package static let pcmCapacity = 25

    private struct Queue {
        var frames = RingBuffer<OutgoingVoiceFrame>()
        var owner: String?
        var running = false
        var pcmFrames = 0
    }

    package let guildID: UInt64
    private let queue = Mutex(Queue())
    private let currentSession = Mutex<VoiceSession?>(nil)
    private let onDrained: @Sendable (String) -> Void
    private let logger: Logger
    /// A frame that fails fails 50 times a second: one line per interval, with the count.
    private let warnings: WarningThrottle

    // Confined to the event loop of the transport being paced.
    private var pipeline: VoiceSendPipeline?
    private var pipelineTransport: ObjectIdentifier?
    private var pacer: VoiceFramePacer<SystemClock>?
    private var silenceLeft = 0
    private var waitingForEndToEnd = false
    private var sendingPlugin = ""
    /// When the last packet of the previous burst left: a pause advances the RTP timestamp.
    private var lastPacketNs: UInt64?

    package init(guildID: UInt64, logger: Logger, onDrained: @escaping @Sendable (String) -> Void) {
        self.guildID = guildID
        self.logger = logger
        warnings = WarningThrottle(logger: logger)
        self.onDrained = onDrained
    }

    /// The session frames go out on (nil: none; queued frames are then dropped).
    package func bind(_ session: VoiceSession?) {
        currentSession.withLock { $0 = session }
        if session == nil { queue.withLock { $0.frames = RingBuffer(); $0.owner = nil; $0.pcmFrames = 0 } }
    }

    package func enqueue(_ frame: OutgoingVoiceFrame, from plugin: String) throws(VoiceRefusal) {
        guard let session = currentSession.withLock({ $0 }), session.state.isConnected else {
            throw VoiceRefusal.notInVoice("the bot is not connected to voice in guild \(guildID); voice_join first")
        }
        let start = try queue.withLock { q throws(VoiceRefusal) -> Bool in
            if let owner = q.owner, owner != plugin {
                throw VoiceRefusal.heldByAnother("guild \(guildID) is playing audio from plugin \(owner); wait for it to drain")
            }
            guard q.frames.count < Self.capacity else {
                throw VoiceRefusal.queueFull("10 s of audio are already queued in guild \(guildID); wait for BOTHOST_VOICE_SEND_DRAINED")
            }
            if case .pcm = frame {
                guard q.pcmFrames < Self.pcmCapacity else {
                    throw VoiceRefusal.queueFull("0.5 s of PCM is already queued in guild \(guildID); send again shortly")
                }
                q.pcmFrames += 1
            }
            q.owner = plugin
            q.frames.append(frame)
            if q.running { return false }
            q.running = true
            return true
        }
        if start { begin(session, plugin: plugin) }
    }

    /// Drops the plugin's queued frames; the burst ends with silence.
    package func stop(plugin: String) {
        queue.withLock { q in
            guard q.owner == plugin else { return }
            q.frames = RingBuffer()
            q.pcmFrames = 0
        }
    }

    // MARK: pacing (event loop)

    private func begin(_ session: VoiceSession, plugin: String) {
        Task {
            // Discord wants Speaking before any audio.
            do { try await session.setSpeaking(.microphone) } catch {
                logger.warning("guild \(guildID): could not say Speaking before sending: \(error)")
            }
            let transport = session.transport
            transport.eventLoop.execute { [self] in
                sendingPlugin = plugin
                let clock = SystemClock()
                if let last = lastPacketNs, let pipeline = pipeline(for: transport, session: session) {
                    // Receivers keep timing across the pause: the timestamp moves on by its length.
                    let paused = (clock.monotonicNs() &- last) / VoiceAudioFormat.frameDurationNanoseconds
                    if paused > 1 { pipeline.skipFrames(Int(min(paused - 1, 1 << 20))) }
                }
                pacer = VoiceFramePacer(clock: clock, latePolicy: .burst(maxFrames: 3))
                silenceLeft = VoiceAudioFormat.silenceFramesBeforePause
                tick(session)
            }
        }
    }

    private func tick(_ session: VoiceSession) {
        let transport = session.transport
        guard transport.isOpen, var schedule = pacer else { return finish(session, reason: "the voice connection closed") }
        guard session.isReadyToSendMedia else {
            // End-to-end encryption is negotiated but its group is not ready: frames wait in the
            // queue (nothing goes out unencrypted); pacing starts afresh once the key is there.
            waitingForEndToEnd = true
            transport.eventLoop.scheduleTask(in: .nanoseconds(Int64(VoiceAudioFormat.frameDurationNanoseconds))) { [self] in tick(session) }
            return
        }
        if waitingForEndToEnd {
            waitingForEndToEnd = false
            schedule = VoiceFramePacer(clock: schedule.clock, latePolicy: .burst(maxFrames: 3))
        }
        while true {
            switch schedule.next() {
            case .wait(let nanoseconds):
                pacer = schedule
                transport.eventLoop.scheduleTask(in: .nanoseconds(Int64(nanoseconds))) { [self] in tick(session) }
                return
            case .send(_, let skipped):
                guard let pipeline = pipeline(for: transport, session: session) else { return finish(session, reason: "no cipher") }
                if skipped > 0 { pipeline.skipFrames(Int(skipped)) }
                let frame = queue.withLock { q -> OutgoingVoiceFrame? in
                    let frame = q.frames.popFirst()
                    if case .pcm = frame { q.pcmFrames -= 1 }
                    return frame
                }
                do {
                    let packet: [UInt8]
                    if let frame {
                        silenceLeft = VoiceAudioFormat.silenceFramesBeforePause
                        switch frame {
                        case .pcm(let samples): packet = try pipeline.packet(forPCM: samples)
                        case .opus(let bytes): packet = try pipeline.packet(forOpus: bytes)
                        }
                    } else if silenceLeft > 0 {
                        silenceLeft -= 1
                        packet = try pipeline.packet(forOpus: VoiceAudioFormat.silenceFrame)
                    } else {
                        pacer = schedule
                        return finish(session, reason: nil)
                    }
                    var datagram = transport.makeDatagramBuffer(capacity: packet.count)
                    datagram.writeBytes(packet)
                    transport.send(datagram: datagram)
                    lastPacketNs = schedule.clock.monotonicNs()
                } catch {
                    warnings.warning("dropped-frame", "guild \(guildID): dropped a frame from \(sendingPlugin): \(error)")
                }
            }
        }
    }

    /// The queue ran dry (or the connection went): stop speaking, report, allow the next sender.
    private func finish(_ session: VoiceSession, reason: String?) {
        let restart = queue.withLock { q -> Bool in
            if reason == nil, !q.frames.isEmpty { return true }  // frames arrived during the silence
            q.running = false
            q.owner = nil
            q.frames = RingBuffer()
            q.pcmFrames = 0
            return false
        }
        if restart {
            silenceLeft = VoiceAudioFormat.silenceFramesBeforePause
            tick(session)
            return
        }
        pacer = nil
        let plugin = sendingPlugin
        if let reason { logger.info("guild \(guildID): stopped sending: \(reason)") }
        Task {
            try? await session.setSpeaking([])
            onDrained(plugin)
        }
    }

    /// The pipeline for this transport: a new session (new SSRC and key) needs a new one. Its
    /// frame transform is the session's end-to-end encryption (DAVE), which follows the group's
    /// epochs by itself.
    private func pipeline(for transport: VoiceTransport, session: VoiceSession) -> VoiceSendPipeline? {
        if pipelineTransport == ObjectIdentifier(transport), let pipeline { return pipeline }
        do {
            let cipher = try VoiceTransportCipher(mode: transport.mode, secretKey: transport.secretKey)
            let made = VoiceSendPipeline(ssrc: transport.ssrc, cipher: cipher, frameTransform: session.makeFrameTransform())
            pipeline = made
            pipelineTransport = ObjectIdentifier(transport)
            return made
        } catch {
            logger.error("guild \(guildID): cannot set up sending: \(error)")
            return nil
        }
    }
}
