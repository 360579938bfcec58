import BotHostCore

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
