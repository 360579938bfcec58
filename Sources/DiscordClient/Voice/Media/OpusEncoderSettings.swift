import BotHostCore

/// How an `OpusFrameEncoder` is set up.
public struct OpusEncoderSettings: Sendable, Equatable {
    public var application: OpusApplication
    /// Target bitrate in bits per second (Discord channels default to 64 000; boosted servers
    /// allow up to 384 000).
    public var bitrate: Int32
    /// In-band forward error correction: each packet also carries a coarse copy of the previous
    /// frame, so a receiver can rebuild one lost packet from the next. Off by default: libopus
    /// only codes FEC in its SILK and hybrid modes, so turning it on (with a non-zero expected
    /// loss) moves the encoder off the CELT music mode and costs about four times the CPU per
    /// frame (≈ 400 µs instead of ≈ 90 µs at 64 kb/s on a current x86 core) — worth it for
    /// speech over lossy links, not for a bot playing music.
    public var inbandFEC: Bool
    /// Expected packet loss in percent (0–100); with FEC on the encoder spends bits on it.
    public var expectedPacketLossPercent: Int32
    /// 0–10: CPU spent per frame against quality. 10 is libopus's default.
    public var complexity: Int32

    public init(
        application: OpusApplication = .audio, bitrate: Int32 = 64_000, inbandFEC: Bool = false,
        expectedPacketLossPercent: Int32 = 0, complexity: Int32 = 10
    ) {
        self.application = application
        self.bitrate = bitrate
        self.inbandFEC = inbandFEC
        self.expectedPacketLossPercent = expectedPacketLossPercent
        self.complexity = complexity
    }
}
