import COpus

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

/// What the Opus encoder tunes for.
public enum OpusApplication: Sendable {
    /// Speech: favours intelligibility, may use SILK at lower bitrates.
    case voip
    /// Music and mixed content: favours fidelity to the input.
    case audio
    /// Lowest delay; disables speech-optimised modes.
    case restrictedLowDelay

    package var code: Int32 {
        switch self {
        case .voip: OPUS_APPLICATION_VOIP
        case .audio: OPUS_APPLICATION_AUDIO
        case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls to `opus_encoder_ctl`, libopus's only way to change an encoder's settings.
///
/// That function is C-variadic, which Swift cannot call, and the COpus module has no non-variadic
/// wrapper. So it is looked up once with `dlsym` and called through a fixed prototype with one
/// `int` (or `int *`) argument after the request. On the System V x86-64 and Linux AArch64
/// calling conventions a variadic integer or pointer argument travels exactly like a named one,
/// so the call is well-formed there; elsewhere (Apple arm64 passes variadic arguments on the
/// stack) the controls report OPUS_UNIMPLEMENTED instead of being attempted.
package enum OpusEncoderControl {
    private typealias SetInt = @convention(c) (OpaquePointer?, Int32, Int32) -> Int32
    private typealias GetInt = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<Int32>?) -> Int32

    /// The resolved `opus_encoder_ctl`; written once during static initialisation, then only read.
    private nonisolated(unsafe) static let symbol: UnsafeMutableRawPointer? = {
        #if arch(x86_64) || (os(Linux) && arch(arm64))
        if let symbol = dlsym(dlopen(nil, RTLD_NOW), "opus_encoder_ctl") { return symbol }
        return dlsym(dlopen("libopus.so.0", RTLD_NOW | RTLD_NOLOAD), "opus_encoder_ctl")
        #else
        return nil
        #endif
    }()

    package static func set(_ encoder: OpaquePointer, _ request: Int32, _ value: Int32, operation: String) throws(OpusError) {
        guard let symbol else { throw OpusError(code: OPUS_UNIMPLEMENTED, operation: operation) }
        let result = unsafeBitCast(symbol, to: SetInt.self)(encoder, request, value)
        guard result == OPUS_OK else { throw OpusError(code: result, operation: operation) }
    }

    package static func get(_ encoder: OpaquePointer, _ request: Int32, operation: String) throws(OpusError) -> Int32 {
        guard let symbol else { throw OpusError(code: OPUS_UNIMPLEMENTED, operation: operation) }
        var value: Int32 = 0
        let result = unsafeBitCast(symbol, to: GetInt.self)(encoder, request, &value)
        guard result == OPUS_OK else { throw OpusError(code: result, operation: operation) }
        return value
    }
}

/// A libopus call that failed: its error code and libopus's own text for it (`opus_strerror`).
public struct OpusError: Error, Equatable, CustomStringConvertible {
    /// The negative `OPUS_*` code libopus returned.
    public let code: Int32
    /// What was being done, e.g. "encode".
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var message: String { String(cString: opus_strerror(code)) }
    public var description: String { "opus \(operation) failed: \(message) (\(code))" }
}
