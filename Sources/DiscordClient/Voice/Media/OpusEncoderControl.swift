import BotHostCore
import COpus
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
