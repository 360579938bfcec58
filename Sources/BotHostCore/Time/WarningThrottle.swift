import Logging
import Synchronization

/// Logs warnings that can repeat once per message (a frame that does not decode, a dropped voice
/// packet) at most once per interval for each kind: the first at once, then one line per interval
/// that says how many alike were left out. A log flood is a fault of its own: it fills disks and
/// buries the line that explains it.
///
/// Thread-safe: any thread may call `warning`.
public final class WarningThrottle: Sendable {
    private struct Kind {
        var lastLoggedNs: UInt64
        var leftOut: UInt64
    }

    private let logger: Logger
    private let intervalNs: UInt64
    private let clock: any HostClock
    private let kinds = Mutex<[String: Kind]>([:])

    public init(logger: Logger, interval: Duration = .seconds(10), clock: any HostClock = SystemClock()) {
        self.logger = logger
        let parts = interval.components
        intervalNs = UInt64(max(0, parts.seconds)) * 1_000_000_000 + UInt64(max(0, parts.attoseconds / 1_000_000_000))
        self.clock = clock
    }

    /// Logs `message` unless a warning of `kind` was logged less than an interval ago; then it is
    /// counted, and the next line of that kind says how many were left out.
    public func warning(_ kind: String, _ message: @autoclosure () -> String) {
        let now = clock.monotonicNs()
        let leftOut: UInt64? = kinds.withLock { kinds in
            if var seen = kinds[kind], now &- seen.lastLoggedNs < intervalNs {
                seen.leftOut += 1
                kinds[kind] = seen
                return nil
            }
            let count = kinds[kind]?.leftOut ?? 0
            kinds[kind] = Kind(lastLoggedNs: now, leftOut: 0)
            return count
        }
        guard let leftOut else { return }
        if leftOut == 0 {
            logger.warning("\(message())")
        } else {
            logger.warning("\(message()) (\(leftOut) more like it since the last report)")
        }
    }

    /// How many warnings of `kind` were counted but not logged since its last line.
    public func leftOut(_ kind: String) -> UInt64 { kinds.withLock { $0[kind]?.leftOut ?? 0 } }
}
