import PluginAPI
import Synchronization

/// Handles are unique for the life of the process and never reused.
enum HandleAllocator {
    private static let next = Atomic<UInt64>(1)
    static func make() -> UInt64 { next.add(1, ordering: .relaxed).oldValue }
    /// The next handle to be issued: every smaller non-zero handle was issued at some point.
    static var peekNext: UInt64 { next.load(ordering: .relaxed) }
}

/// Why a registration ended; decides whether the plugin hears about it.
enum RegistrationEnd: Sendable {
    /// It finished normally (a one-shot fired, a reply arrived): its final callback was already made.
    case completed
    /// The plugin called `unregister`: in-flight calls report BOTHOST_E_CANCELLED.
    case unregistered
    /// The plugin is stopping: no callback, only the free.
    case pluginStopped
}

/// Something a plugin registered: a host-owned handle, the plugin's user_data and its free.
///
/// A registration ends exactly once (`PluginInstance.end`), which runs its `teardown` and then
/// queues the user_data free on the plugin's executor, behind any callback still queued for it.
final class Registration: @unchecked Sendable {
    enum Kind: String, Sendable {
        case timer, subscription, service, command, request, http, cleanupHook, completion
    }

    let handle: UInt64
    let kind: Kind
    let userData: UnsafeMutableRawPointer?
    let userDataFree: bothost_free_fn?
    /// False once ended; queued callbacks check it so that nothing runs after unregister.
    let active = Atomic<Bool>(true)
    /// Releases the host-side resources (scheduler entries, bus entries …). Set before publishing.
    nonisolated(unsafe) var teardown: (@Sendable (RegistrationEnd) -> Void)?

    init(kind: Kind, userData: UnsafeMutableRawPointer?, free: bothost_free_fn?) {
        self.handle = HandleAllocator.make()
        self.kind = kind
        self.userData = userData
        self.userDataFree = free
    }

    var isActive: Bool { active.load(ordering: .acquiring) }

    /// Runs and drops the teardown (it often captures this registration: dropping it breaks the
    /// cycle). Only the party that took the registration out of its table calls this.
    func runTeardown(_ why: RegistrationEnd) {
        let teardown = self.teardown
        self.teardown = nil
        teardown?(why)
    }
}
