/// Keeps a recording's timeline true to life. Discord sends nothing while a user is silent, so
/// writing only the packets received would run the pauses together; the RTP timestamps of the
/// user's stream (48 kHz, 960 per 20 ms frame) say how long each pause was, and that many 20 ms
/// Opus silence frames go into the file before the next packet.
public struct RecordingTimeline: Sendable {
    /// A 20 ms Opus frame of silence (CELT, fullband, one frame): what Discord itself sends.
    public static let silenceFrame: [UInt8] = [0xF8, 0xFF, 0xFE]
    public static let samplesPerFrame: UInt32 = 960

    /// Longest pause filled; a longer gap (the user was gone, or the stream restarted) is cut to it.
    public let maxSilenceFrames: Int
    private var last: (ssrc: UInt32, timestamp: UInt32)?

    public init(maxSilenceFrames: Int = 15_000) {  // 5 minutes, the default session timeout
        self.maxSilenceFrames = maxSilenceFrames
    }

    /// The number of silence frames to write before a packet with this SSRC and RTP timestamp.
    /// A new SSRC (the user reconnected) starts a new stream with no fill; a timestamp that goes
    /// backwards (reordering the host could not repair) gets none either.
    public mutating func silenceFrames(before ssrc: UInt32, timestamp: UInt32) -> Int {
        defer { last = (ssrc, timestamp) }
        guard let last, last.ssrc == ssrc else { return 0 }
        let delta = timestamp &- last.timestamp  // wraps correctly across 2^32
        guard delta > Self.samplesPerFrame, delta < UInt32.max / 2 else { return 0 }
        let missing = Int(delta / Self.samplesPerFrame) - 1
        return min(missing, maxSilenceFrames)
    }
}
