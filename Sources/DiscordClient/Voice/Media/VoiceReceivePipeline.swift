import BotHostCore
import COpus

/// Turns received UDP datagrams into ordered audio for each speaker: AEAD open → RTP parse (CSRCs,
/// extension body stripped, padding removed) → frame transform (end-to-end decryption) →
/// per-SSRC reorder buffer → Opus decode with concealment of lost slots.
///
/// Every released slot yields a `ReceivedVoiceFrame` carrying both the Opus frame (for recording
/// without re-encoding) and, when decoding is on, the PCM. Sources are keyed by SSRC only; which
/// user an SSRC belongs to is the connection layer's business. Per-source state is bounded: at
/// most `maxSources` sources (the least recently heard is evicted), each with a fixed-size
/// reorder window and one decoder.
///
/// Call `flush(ssrc:)` when a source stops speaking (or after ~100 ms without its packets) so a
/// frame held behind a gap is not kept until the next talk spurt, and `removeSource(ssrc:)` when
/// it leaves.
///
/// Ownership: one pipeline per receiving connection, driven by one owner (not `Sendable`).
public final class VoiceReceivePipeline {
    public struct Configuration: Sendable {
        /// Later packets that may wait behind a gap before it is declared lost: 3 → at most
        /// 60 ms of added delay, and only after a loss or reordering.
        public var reorderDepth: Int
        public var maxSources: Int
        /// Lost slots in a row filled with concealment audio; beyond that the gap stays silent
        /// (and shows as a timestamp jump) rather than synthesising long stretches.
        public var maxConcealedFrames: Int
        /// Whether to decode to PCM; a recorder that stores Opus can turn this off and never
        /// allocate a decoder.
        public var decodesPCM: Bool
        /// A sequence jump beyond this (≈ 5 s of frames) means the sender restarted its numbering.
        public var restartDistance: Int

        public init(reorderDepth: Int = 3, maxSources: Int = 32, maxConcealedFrames: Int = 5, decodesPCM: Bool = true,
                    restartDistance: Int = 250) {
            // The reorder window and restart distance must fit the 16-bit sequence space with room
            // to tell ahead from behind.
            self.reorderDepth = min(max(0, reorderDepth), 64)
            self.maxSources = max(1, maxSources)
            self.maxConcealedFrames = max(0, maxConcealedFrames)
            self.decodesPCM = decodesPCM
            self.restartDistance = min(max(restartDistance, self.reorderDepth + 1), 30_000)
        }
    }

    public let cipher: VoiceTransportCipher
    /// The per-frame end-to-end stage; replaced when DAVE sessions start or change.
    public var frameTransform: any VoiceFrameTransform
    public let configuration: Configuration
    public internal(set) var counters = VoiceReceiveCounters()

    private var sources: [UInt32: VoiceReceiveSource] = [:]
    private var plaintext: [UInt8] = []
    private var released: [VoiceReorderBuffer.Slot] = []

    public init(cipher: VoiceTransportCipher, frameTransform: any VoiceFrameTransform = PassthroughVoiceFrameTransform(),
                configuration: Configuration = Configuration()) {
        self.cipher = cipher
        self.frameTransform = frameTransform
        self.configuration = configuration
        plaintext.reserveCapacity(VoiceAudioFormat.maxOpusPacketBytes)
    }

    /// SSRCs with receive state.
    public var activeSSRCs: [UInt32] { Array(sources.keys) }

    /// Handles one datagram; returns the frames it made ready (none while a gap is being waited
    /// on, several when it fills one). RTCP and non-Opus packets are counted and skipped.
    public func receive(_ datagram: UnsafeRawBufferPointer) throws(VoiceReceiveError) -> [ReceivedVoiceFrame] {
        counters.datagrams += 1
        // RTCP shares the port; its packet types 200–204 sit where RTP's marker+payload type is.
        if datagram.count >= 2, (200...204).contains(datagram[1]) {
            counters.ignored += 1
            return []
        }
        let header: RTPHeader
        do throws(RTPParseError) {
            header = try RTPHeader.parse(datagram)
        } catch {
            counters.malformed += 1
            throw .malformed(error)
        }
        guard header.payloadType == RTPHeader.opusPayloadType else {
            counters.ignored += 1
            return []
        }
        do throws(VoiceCryptoError) {
            try cipher.open(datagram, headerLength: header.clearLength, into: &plaintext)
        } catch {
            counters.undecryptable += 1
            throw .undecryptable(error)
        }
        let media: Range<Int>
        do throws(RTPParseError) {
            media = try header.splitPayload(length: plaintext.count, lastByte: plaintext.last).media
        } catch {
            counters.malformed += 1
            throw .malformed(error)
        }
        let opus = try endToEndDecrypt(media, ssrc: header.ssrc)
        let source = source(for: header.ssrc)
        source.lastActivity = counters.datagrams
        released.removeAll(keepingCapacity: true)
        let packet = VoiceReorderBuffer.Packet(sequence: header.sequence, timestamp: header.timestamp, opus: opus)
        switch source.buffer.insert(packet, releasing: &released) {
        case .accepted: counters.accepted += 1
        case .duplicate: counters.duplicate += 1
        case .late: counters.late += 1
        case .restarted:
            counters.restarts += 1
            counters.accepted += 1
        }
        return play(released, from: source)
    }

    public func receive(_ datagram: [UInt8]) throws(VoiceReceiveError) -> [ReceivedVoiceFrame] {
        try datagram.withUnsafeBytes { bytes in Result { () throws(VoiceReceiveError) in try receive(bytes) } }.get()
    }

    /// Releases what `ssrc` still holds behind a gap (the gap counted as lost).
    public func flush(ssrc: UInt32) -> [ReceivedVoiceFrame] {
        guard let source = sources[ssrc] else { return [] }
        released.removeAll(keepingCapacity: true)
        source.buffer.drain(into: &released)
        return play(released, from: source)
    }

    /// Flushes every source.
    public func flushAll() -> [ReceivedVoiceFrame] {
        sources.keys.sorted().flatMap { flush(ssrc: $0) }
    }

    /// Forgets a source that left: its buffer, decoder and counters state go.
    public func removeSource(ssrc: UInt32) {
        sources[ssrc] = nil
    }

    private func endToEndDecrypt(_ media: Range<Int>, ssrc: UInt32) throws(VoiceReceiveError) -> [UInt8] {
        var opus: [UInt8] = []
        var failure: String?
        plaintext.withUnsafeBytes { raw in
            let frame = UnsafeRawBufferPointer(rebasing: raw[media])
            // The silence frame is never end-to-end encrypted.
            if VoiceAudioFormat.isSilenceFrame(frame) {
                opus = Array(frame)
                return
            }
            do {
                try frameTransform.decryptIncoming(frame, ssrc: ssrc, into: &opus)
            } catch {
                failure = String(describing: error)
            }
        }
        if let failure {
            counters.undecryptable += 1
            throw .frameTransformFailed(ssrc: ssrc, reason: failure)
        }
        return opus
    }

    private func source(for ssrc: UInt32) -> VoiceReceiveSource {
        if let existing = sources[ssrc] { return existing }
        if sources.count >= configuration.maxSources,
           let quietest = sources.values.min(by: { $0.lastActivity < $1.lastActivity }) {
            sources[quietest.ssrc] = nil
            counters.evictedSources += 1
        }
        let source = VoiceReceiveSource(ssrc: ssrc, reorderDepth: configuration.reorderDepth,
                                        restartDistance: configuration.restartDistance)
        sources[ssrc] = source
        return source
    }
}
