import Foundation

/// Wall-clock time plus an offset the tests can advance. Everything time-dependent in the
/// emulator (message ages, the interaction window, rate-limit windows, token lifetimes) reads
/// this clock, so an hour can pass in a test without waiting for it.
final class EmulatorClock: Sendable {
    private struct State {
        var offsetMs: Int64 = 0
        /// While frozen, real time stops counting and only `advance` moves the clock.
        var frozenAtMs: Int64?
    }

    private let state = Locked(State())

    private static func realMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Milliseconds since the Unix epoch, as the emulator sees it.
    func nowMs() -> Int64 {
        state.withLock { ($0.frozenAtMs ?? Self.realMs()) + $0.offsetMs }
    }

    func advance(ms: Int64) {
        state.withLock { $0.offsetMs += max(0, ms) }
    }

    func freeze() {
        state.withLock { state in
            if state.frozenAtMs == nil { state.frozenAtMs = Self.realMs() }
        }
    }

    func unfreeze() {
        state.withLock { state in
            guard let frozen = state.frozenAtMs else { return }
            // Keep the emulator's time continuous: the time spent frozen is skipped.
            state.offsetMs -= Self.realMs() - frozen
            state.frozenAtMs = nil
        }
    }
}
