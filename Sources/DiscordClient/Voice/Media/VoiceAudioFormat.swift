/// The audio format Discord voice carries: Opus at 48 kHz, stereo, 20 ms frames.
public enum VoiceAudioFormat {
    public static let sampleRate = 48_000
    public static let channelCount = 2
    /// Samples per channel in one 20 ms frame; also the RTP timestamp step per frame.
    public static let samplesPerFrame = 960
    /// Interleaved Int16 values in one 20 ms stereo frame.
    public static let samplesPerStereoFrame = samplesPerFrame * channelCount
    public static let frameDurationNanoseconds: UInt64 = 20_000_000
    /// The Opus frame Discord expects five of before a pause (a 20 ms CELT frame of silence), so
    /// receivers' decoders do not interpolate across the gap. End-to-end encryption leaves it as is.
    public static let silenceFrame: [UInt8] = [0xF8, 0xFF, 0xFE]
    public static let silenceFramesBeforePause = 5
    /// The longest Opus packet libopus produces (RFC 6716: 120 ms of 1275-byte frames, capped).
    package static let maxOpusPacketBytes = 4_000
    /// The most samples per channel one Opus packet can decode to (120 ms).
    package static let maxSamplesPerPacket = 5_760

    /// Whether `frame` is exactly the silence frame.
    package static func isSilenceFrame(_ frame: UnsafeRawBufferPointer) -> Bool {
        frame.count == 3 && frame[0] == 0xF8 && frame[1] == 0xFF && frame[2] == 0xFE
    }
}
