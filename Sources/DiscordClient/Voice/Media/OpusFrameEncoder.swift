import COpus

/// An Opus encoder for Discord voice: 48 kHz, stereo, one 20 ms frame (960 samples per channel,
/// interleaved) per call.
///
/// Ownership: the encoder carries state from frame to frame, so one instance encodes exactly one
/// stream and is used by one owner at a time (it is deliberately not `Sendable`). The libopus
/// state is freed when the instance goes away.
public final class OpusFrameEncoder {
    private let state: OpaquePointer
    public private(set) var settings: OpusEncoderSettings

    public init(settings: OpusEncoderSettings = OpusEncoderSettings()) throws(OpusError) {
        var error: Int32 = OPUS_OK
        guard let state = opus_encoder_create(Int32(VoiceAudioFormat.sampleRate), Int32(VoiceAudioFormat.channelCount),
                                              settings.application.code, &error), error == OPUS_OK
        else { throw OpusError(code: error == OPUS_OK ? OPUS_ALLOC_FAIL : error, operation: "encoder create") }
        self.state = state
        self.settings = settings
        try apply(settings)
    }

    deinit {
        opus_encoder_destroy(state)
    }

    /// Changes bitrate, FEC, expected loss and complexity on the fly (the application is fixed at
    /// creation).
    public func apply(_ settings: OpusEncoderSettings) throws(OpusError) {
        try OpusEncoderControl.set(state, OPUS_SET_BITRATE_REQUEST, settings.bitrate, operation: "set bitrate")
        try OpusEncoderControl.set(state, OPUS_SET_INBAND_FEC_REQUEST, settings.inbandFEC ? 1 : 0, operation: "set FEC")
        try OpusEncoderControl.set(state, OPUS_SET_PACKET_LOSS_PERC_REQUEST, settings.expectedPacketLossPercent,
                                   operation: "set packet loss")
        try OpusEncoderControl.set(state, OPUS_SET_COMPLEXITY_REQUEST, settings.complexity, operation: "set complexity")
        self.settings.bitrate = settings.bitrate
        self.settings.inbandFEC = settings.inbandFEC
        self.settings.expectedPacketLossPercent = settings.expectedPacketLossPercent
        self.settings.complexity = settings.complexity
    }

    /// The bitrate the encoder is actually using, as libopus reports it.
    public func currentBitrate() throws(OpusError) -> Int32 {
        try OpusEncoderControl.get(state, OPUS_GET_BITRATE_REQUEST, operation: "get bitrate")
    }

    /// The encoder's lookahead in samples at 48 kHz: the pre-skip an Ogg Opus file of its output
    /// should declare.
    public func lookahead() throws(OpusError) -> Int32 {
        try OpusEncoderControl.get(state, OPUS_GET_LOOKAHEAD_REQUEST, operation: "get lookahead")
    }

    /// Bytes of libopus state this encoder owns.
    public static var stateSize: Int { Int(opus_encoder_get_size(Int32(VoiceAudioFormat.channelCount))) }

    /// Encodes one frame of exactly `VoiceAudioFormat.samplesPerStereoFrame` interleaved samples
    /// into `output`; returns the packet length.
    public func encode(_ pcm: UnsafeBufferPointer<Int16>, into output: UnsafeMutableRawBufferPointer) throws(OpusError) -> Int {
        guard pcm.count == VoiceAudioFormat.samplesPerStereoFrame, let samples = pcm.baseAddress else {
            throw OpusError(code: OPUS_BAD_ARG, operation: "encode (\(pcm.count) samples, expected \(VoiceAudioFormat.samplesPerStereoFrame))")
        }
        guard let bytes = output.baseAddress else { throw OpusError(code: OPUS_BUFFER_TOO_SMALL, operation: "encode") }
        let length = opus_encode(state, samples, Int32(VoiceAudioFormat.samplesPerFrame),
                                 bytes.assumingMemoryBound(to: UInt8.self), Int32(clamping: output.count))
        guard length > 0 else { throw OpusError(code: length, operation: "encode") }
        return Int(length)
    }

    /// Encodes one 20 ms stereo frame into a new packet.
    public func encode(_ pcm: [Int16]) throws(OpusError) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: VoiceAudioFormat.maxOpusPacketBytes)
        // The standard library's closure wrappers erase typed errors; Result carries the type through.
        let length = try pcm.withUnsafeBufferPointer { pcm in
            packet.withUnsafeMutableBytes { bytes in Result { () throws(OpusError) in try encode(pcm, into: bytes) } }
        }.get()
        packet.removeLast(packet.count - length)
        return packet
    }
}
