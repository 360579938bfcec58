import COpus

/// An Opus decoder for one incoming voice stream: 48 kHz stereo, interleaved Int16 output, with
/// packet-loss concealment for a missing frame and recovery from the next packet's in-band FEC.
///
/// Ownership: decoding depends on the previous packets of the same stream, so one instance
/// decodes exactly one stream (one SSRC) for one owner at a time (deliberately not `Sendable`).
/// The libopus state is freed when the instance goes away.
public final class OpusFrameDecoder {
    private let state: OpaquePointer
    private var scratch = [Int16](repeating: 0, count: VoiceAudioFormat.maxSamplesPerPacket * VoiceAudioFormat.channelCount)

    public init() throws(OpusError) {
        var error: Int32 = OPUS_OK
        guard let state = opus_decoder_create(Int32(VoiceAudioFormat.sampleRate), Int32(VoiceAudioFormat.channelCount), &error),
              error == OPUS_OK
        else { throw OpusError(code: error == OPUS_OK ? OPUS_ALLOC_FAIL : error, operation: "decoder create") }
        self.state = state
    }

    deinit {
        opus_decoder_destroy(state)
    }

    /// Bytes of libopus state this decoder owns.
    public static var stateSize: Int { Int(opus_decoder_get_size(Int32(VoiceAudioFormat.channelCount))) }

    /// Decodes one packet to interleaved stereo samples (1920 values for a 20 ms packet).
    public func decode(_ packet: UnsafeRawBufferPointer) throws(OpusError) -> [Int16] {
        guard !packet.isEmpty else { throw OpusError(code: OPUS_INVALID_PACKET, operation: "decode (empty packet)") }
        return try run(packet, samplesPerChannel: VoiceAudioFormat.maxSamplesPerPacket, fec: false, operation: "decode")
    }

    public func decode(_ packet: [UInt8]) throws(OpusError) -> [Int16] {
        // The standard library's closure wrappers erase typed errors; Result carries the type through.
        try packet.withUnsafeBytes { bytes in Result { () throws(OpusError) in try decode(bytes) } }.get()
    }

    /// Audio standing in for a lost packet of `samplesPerChannel` samples, extrapolated from what
    /// came before (libopus packet-loss concealment).
    public func concealLoss(samplesPerChannel: Int = VoiceAudioFormat.samplesPerFrame) throws(OpusError) -> [Int16] {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), samplesPerChannel: samplesPerChannel, fec: false,
                operation: "conceal loss")
    }

    /// Rebuilds the packet lost just before `nextPacket` from the redundancy `nextPacket` carries
    /// (in-band FEC); when it carries none libopus falls back to concealment.
    public func recoverLoss(from nextPacket: UnsafeRawBufferPointer,
                            samplesPerChannel: Int = VoiceAudioFormat.samplesPerFrame) throws(OpusError) -> [Int16] {
        try run(nextPacket, samplesPerChannel: samplesPerChannel, fec: true, operation: "FEC decode")
    }

    public func recoverLoss(from nextPacket: [UInt8], samplesPerChannel: Int = VoiceAudioFormat.samplesPerFrame) throws(OpusError) -> [Int16] {
        try nextPacket.withUnsafeBytes { bytes in
            Result { () throws(OpusError) in try recoverLoss(from: bytes, samplesPerChannel: samplesPerChannel) }
        }.get()
    }

    private func run(_ packet: UnsafeRawBufferPointer, samplesPerChannel: Int, fec: Bool, operation: String) throws(OpusError) -> [Int16] {
        let capacity = min(samplesPerChannel, VoiceAudioFormat.maxSamplesPerPacket)
        let decoded = scratch.withUnsafeMutableBufferPointer { output -> Int32 in
            guard let samples = output.baseAddress else { return OPUS_BUFFER_TOO_SMALL }
            return opus_decode(state, packet.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(packet.count),
                               samples, Int32(capacity), fec ? 1 : 0)
        }
        guard decoded >= 0 else { throw OpusError(code: decoded, operation: operation) }
        return Array(scratch[0..<Int(decoded) * VoiceAudioFormat.channelCount])
    }
}
