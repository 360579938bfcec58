import Synchronization

/// The time the media layer keeps keys by: previous epochs' and old generations' keys are kept
/// 10 s after a transition. A parameter, so tests move time forward without sleeping.
public struct DAVEClock: Sendable {
    /// Time elapsed since an arbitrary fixed origin; must never go backwards.
    public let now: @Sendable () -> Duration

    public init(now: @escaping @Sendable () -> Duration) {
        self.now = now
    }

    /// The monotonic system clock.
    public static var system: DAVEClock {
        let origin = ContinuousClock.now
        return DAVEClock { ContinuousClock.now - origin }
    }

    /// A clock that moves only when told to (tests and the interop member).
    public static func manual(_ time: ManualTime) -> DAVEClock {
        DAVEClock { time.now }
    }

    /// A settable time source for `manual(_:)`.
    public final class ManualTime: Sendable {
        private let value = Mutex<Duration>(.zero)

        public init() {}

        public var now: Duration { value.withLock { $0 } }

        public func advance(by duration: Duration) {
            value.withLock { $0 += duration }
        }
    }
}
