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

/// One 20 ms slot of a received voice stream, in sequence order.
public struct ReceivedVoiceFrame: Sendable, Equatable {
    public let ssrc: UInt32
    public let sequence: UInt16
    /// RTP timestamp (48 kHz samples); for a lost slot, estimated from the previous packet. A
    /// jump larger than the frame duration between consecutive frames is a pause by the sender.
    public let timestamp: UInt32
    /// The Opus frame as the sender encoded it (transport and end-to-end encryption removed), for
    /// recording without re-encoding; nil when the slot was lost.
    public let opus: [UInt8]?
    /// Decoded 48 kHz stereo interleaved samples (1920 for 20 ms); for a lost slot, concealment
    /// audio. Empty when the pipeline does not decode.
    public let pcm: [Int16]

    /// Whether the packet for this slot never arrived (its audio, if any, is concealment).
    public var isLost: Bool { opus == nil }

    public init(ssrc: UInt32, sequence: UInt16, timestamp: UInt32, opus: [UInt8]?, pcm: [Int16]) {
        self.ssrc = ssrc
        self.sequence = sequence
        self.timestamp = timestamp
        self.opus = opus
        self.pcm = pcm
    }
}

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

/// What a receive pipeline has seen, for metrics and diagnostics.
public struct VoiceReceiveCounters: Sendable, Equatable {
    /// Datagrams handed to the pipeline.
    public var datagrams: UInt64 = 0
    /// Audio packets accepted into a reorder buffer.
    public var accepted: UInt64 = 0
    /// RTCP and non-Opus RTP packets, skipped.
    public var ignored: UInt64 = 0
    /// Not parseable as RTP (bad version, truncated header or extension, bad padding).
    public var malformed: UInt64 = 0
    /// Failed transport authentication (forged, corrupt, wrong key) or end-to-end decryption.
    public var undecryptable: UInt64 = 0
    /// Packets already received (buffered or played).
    public var duplicate: UInt64 = 0
    /// Packets that arrived after their slot had been played as lost.
    public var late: UInt64 = 0
    /// Slots whose packet never arrived in time.
    public var lost: UInt64 = 0
    /// Lost slots filled with concealment (or FEC-recovered) audio.
    public var concealed: UInt64 = 0
    /// Lost slots decoded through the next packet's in-band FEC data (libopus falls back to
    /// concealment when that packet carries none).
    public var decodedWithFEC: UInt64 = 0
    /// Opus frames the decoder rejected (concealed instead).
    public var undecodable: UInt64 = 0
    /// Sequence jumps treated as a sender restart.
    public var restarts: UInt64 = 0
    /// Sources dropped to stay within the source limit.
    public var evictedSources: UInt64 = 0

    public init() {}
}

/// Why a received datagram produced no audio. Each case is also counted in
/// `VoiceReceiveCounters`; the pipeline stays usable after any of them.
public enum VoiceReceiveError: Error, Equatable, CustomStringConvertible {
    case malformed(RTPParseError)
    case undecryptable(VoiceCryptoError)
    case frameTransformFailed(ssrc: UInt32, reason: String)

    public var description: String {
        switch self {
        case .malformed(let error): "malformed voice packet: \(error)"
        case .undecryptable(let error): "undecryptable voice packet: \(error)"
        case .frameTransformFailed(let ssrc, let reason): "end-to-end decryption failed for SSRC \(ssrc): \(reason)"
        }
    }
}
