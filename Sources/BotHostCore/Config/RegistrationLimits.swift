/// How many registrations of each kind one plugin may hold at once. A registering call over its
/// limit fails with BOTHOST_E_TOO_LARGE and registers nothing; ending a registration frees its
/// place. The defaults are far above what a plugin needs and far below what would slow the host
/// for the others (one plugin's 100 000 timers used to starve the rest).
public struct RegistrationLimits: Sendable, Equatable {
    /// timer_start
    public var timers = 10_000
    /// bus_subscribe, voice_subscribe_audio, voice_subscribe_events
    public var subscriptions = 10_000
    /// bus_serve
    public var services = 1_000
    /// command_register, component_register, autocomplete_register
    public var commands = 1_000
    /// cleanup_register
    public var cleanupHooks = 1_000
    /// Calls in flight: bus_request, http_request, discord_request
    public var pendingCalls = 100_000

    public init() {}

    /// The limit for a kind of registration, or nil for kinds bounded otherwise (interaction and
    /// voice completions end with the interaction or the voice call they answer).
    package func limit(for kind: RegistrationKind) -> Int? {
        switch kind {
        case .timer: timers
        case .subscription: subscriptions
        case .service: services
        case .command: commands
        case .cleanupHook: cleanupHooks
        case .request, .http: pendingCalls
        case .completion: nil
        }
    }

    /// The plugins.json key that sets the limit of a kind.
    package static func settingKey(for kind: RegistrationKind) -> String {
        switch kind {
        case .timer: "maxTimers"
        case .subscription: "maxSubscriptions"
        case .service: "maxServices"
        case .command: "maxCommands"
        case .cleanupHook: "maxCleanupHooks"
        case .request, .http, .completion: "maxPendingCalls"
        }
    }
}

/// The kinds of thing a plugin registers, each counted against its own limit.
public enum RegistrationKind: String, Sendable {
    case timer, subscription, service, command, request, http, cleanupHook, completion
}
