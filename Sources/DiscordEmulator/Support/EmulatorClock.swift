import Foundation

/// Wall-clock time plus an offset the tests can advance. Everything time-dependent in the
/// emulator (message ages, the interaction window, rate-limit windows, token lifetimes) reads
/// this clock, so an hour can pass in a test without waiting for it.
final class EmulatorClock: Sendable {
    private let offsetMs = Locked<Int64>(0)

    /// Milliseconds since the Unix epoch, as the emulator sees it.
    func nowMs() -> Int64 {
        let real = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        return real + offsetMs.withLock { $0 }
    }

    func advance(ms: Int64) {
        offsetMs.withLock { $0 += max(0, ms) }
    }
}
