import COpus

/// Turns outgoing audio into UDP datagram bytes for one voice connection: PCM → Opus encode →
/// frame transform (end-to-end encryption) → RTP header → transport AEAD.
///
/// Timing: every packet advances the sequence by 1 and the timestamp by its duration (960 for
/// 20 ms). Around a pause, send `silencePackets()`, then, when audio resumes, call
/// `skipFrames(_:)` with the number of 20 ms slots that passed silently (the pacer reports them),
/// so the timestamp keeps following real time and receivers place the audio correctly.
///
/// Buffers are reused between calls, and the returned array shares storage with the pipeline's
/// own until the next call; a caller that hands it to the socket and lets it go costs no
/// allocation per packet.
///
/// Ownership: one pipeline per sending connection, driven by one owner (not `Sendable`).
public final class VoiceSendPipeline {
    public let ssrc: UInt32
    public let cipher: VoiceTransportCipher
    /// The per-frame end-to-end stage; replaced when DAVE sessions start or change.
    public var frameTransform: any VoiceFrameTransform
    /// Sequence number of the next packet.
    public private(set) var sequence: UInt16
    /// RTP timestamp of the next packet.
    public private(set) var timestamp: UInt32
    public private(set) var counters = VoiceSendCounters()
    public private(set) var encoderSettings: OpusEncoderSettings

    /// Created on first PCM so pass-through playback (pre-encoded Opus) never pays for one.
    private var encoder: OpusFrameEncoder?
    private var opusBuffer = [UInt8](repeating: 0, count: VoiceAudioFormat.maxOpusPacketBytes)
    private var transformed: [UInt8] = []
    private var header = [UInt8](repeating: 0, count: RTPHeader.fixedLength)
    private var datagram: [UInt8] = []

    public init(ssrc: UInt32, cipher: VoiceTransportCipher, encoderSettings: OpusEncoderSettings = OpusEncoderSettings(),
                frameTransform: any VoiceFrameTransform = PassthroughVoiceFrameTransform(),
                initialSequence: UInt16 = .random(in: 0...UInt16.max),
                initialTimestamp: UInt32 = .random(in: 0...UInt32.max)) {
        self.ssrc = ssrc
        self.cipher = cipher
        self.encoderSettings = encoderSettings
        self.frameTransform = frameTransform
        self.sequence = initialSequence
        self.timestamp = initialTimestamp
        transformed.reserveCapacity(VoiceAudioFormat.maxOpusPacketBytes)
        datagram.reserveCapacity(VoiceAudioFormat.maxOpusPacketBytes + 64)
    }

    /// Changes the encoder's bitrate, FEC, expected loss or complexity.
    public func setEncoderSettings(_ settings: OpusEncoderSettings) throws(OpusError) {
        if let encoder { try encoder.apply(settings) }
        encoderSettings = settings
    }

    /// The datagram for one 20 ms frame of PCM: exactly 960 × 2 interleaved Int16 samples.
    public func packet(forPCM pcm: UnsafeBufferPointer<Int16>) throws(VoiceSendError) -> [UInt8] {
        guard pcm.count == VoiceAudioFormat.samplesPerStereoFrame else {
            throw .wrongPCMFrameSize(got: pcm.count, expected: VoiceAudioFormat.samplesPerStereoFrame)
        }
        let length: Int
        do throws(OpusError) {
            let encoder: OpusFrameEncoder
            if let existing = self.encoder {
                encoder = existing
            } else {
                encoder = try OpusFrameEncoder(settings: encoderSettings)
                self.encoder = encoder
            }
            // The standard library's closure wrappers erase typed errors; Result carries the type through.
            length = try opusBuffer.withUnsafeMutableBytes { output in
                Result { () throws(OpusError) in try encoder.encode(pcm, into: output) }
            }.get()
        } catch {
            throw .encodingFailed(error)
        }
        return try opusBuffer.withUnsafeBytes { bytes in
            Result { () throws(VoiceSendError) in
                try packet(forFrame: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), samples: VoiceAudioFormat.samplesPerFrame)
            }
        }.get()
    }

    public func packet(forPCM pcm: [Int16]) throws(VoiceSendError) -> [UInt8] {
        try pcm.withUnsafeBufferPointer { pcm in Result { () throws(VoiceSendError) in try packet(forPCM: pcm) } }.get()
    }

    /// The datagram for one pre-encoded Opus packet (e.g. read from an Ogg Opus file). The
    /// timestamp advances by the packet's own duration, which libopus reads from its TOC byte.
    public func packet(forOpus frame: [UInt8]) throws(VoiceSendError) -> [UInt8] {
        try frame.withUnsafeBytes { bytes in
            Result { () throws(VoiceSendError) in
                guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), !bytes.isEmpty else {
                    throw .invalidOpusFrame(OpusError(code: OPUS_INVALID_PACKET, operation: "packet duration"))
                }
                let samples = opus_packet_get_nb_samples(base, Int32(clamping: bytes.count), Int32(VoiceAudioFormat.sampleRate))
                guard samples > 0 else {
                    throw .invalidOpusFrame(OpusError(code: samples < 0 ? samples : OPUS_INVALID_PACKET, operation: "packet duration"))
                }
                return try packet(forFrame: bytes, samples: Int(samples))
            }
        }.get()
    }

    /// The five silence-frame datagrams Discord expects before a pause.
    public func silencePackets() throws(VoiceSendError) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        for _ in 0..<VoiceAudioFormat.silenceFramesBeforePause {
            packets.append(try packet(forOpus: VoiceAudioFormat.silenceFrame))
            counters.silenceFrames += 1
        }
        return packets
    }

    /// Advances the timestamp over `count` 20 ms slots in which nothing was sent (a pause, or
    /// frames the pacer dropped), without touching the sequence: no packet was lost.
    public func skipFrames(_ count: Int) {
        guard count > 0 else { return }
        timestamp &+= UInt32(truncatingIfNeeded: count &* VoiceAudioFormat.samplesPerFrame)
        counters.skippedFrames += UInt64(count)
    }

    private func packet(forFrame frame: UnsafeRawBufferPointer, samples: Int) throws(VoiceSendError) -> [UInt8] {
        if VoiceAudioFormat.isSilenceFrame(frame) {
            transformed.removeAll(keepingCapacity: true)
            transformed.append(contentsOf: frame)
        } else {
            do {
                try frameTransform.encryptOutgoing(frame, ssrc: ssrc, into: &transformed)
            } catch {
                throw .frameTransformFailed(String(describing: error))
            }
        }
        let (sequence, timestamp, ssrc) = (self.sequence, self.timestamp, self.ssrc)
        header.withUnsafeMutableBytes { RTPHeader.writeDiscordHeader(sequence: sequence, timestamp: timestamp, ssrc: ssrc, into: $0) }
        header.withUnsafeBytes { header in
            transformed.withUnsafeBytes { payload in cipher.seal(header: header, payload: payload, into: &datagram) }
        }
        self.sequence &+= 1
        self.timestamp &+= UInt32(truncatingIfNeeded: samples)
        counters.packets += 1
        counters.opusBytes += UInt64(frame.count)
        return datagram
    }
}

/// What a send pipeline has done, for metrics and diagnostics.
public struct VoiceSendCounters: Sendable, Equatable {
    /// Datagrams produced.
    public var packets: UInt64 = 0
    /// Opus bytes carried (before transport encryption).
    public var opusBytes: UInt64 = 0
    /// Silence frames sent before pauses.
    public var silenceFrames: UInt64 = 0
    /// 20 ms slots the RTP timestamp skipped over (pauses, frames dropped when late).
    public var skippedFrames: UInt64 = 0

    public init() {}
}

/// Why the send pipeline could not produce a packet. The pipeline's state (sequence, timestamp,
/// nonce) is unchanged after any of these, so sending can simply continue with the next frame.
public enum VoiceSendError: Error, Equatable, CustomStringConvertible {
    /// PCM input must be exactly one 20 ms stereo frame.
    case wrongPCMFrameSize(got: Int, expected: Int)
    case encodingFailed(OpusError)
    /// A pre-encoded frame that libopus cannot parse (or an empty one).
    case invalidOpusFrame(OpusError)
    case frameTransformFailed(String)

    public var description: String {
        switch self {
        case .wrongPCMFrameSize(let got, let expected):
            "PCM frame has \(got) samples; a 20 ms stereo frame is exactly \(expected) interleaved Int16 values"
        case .encodingFailed(let error): error.description
        case .invalidOpusFrame(let error): "invalid Opus frame: \(error.message)"
        case .frameTransformFailed(let reason): "frame transform failed: \(reason)"
        }
    }
}
