import BotHostCore
import PluginAPI
import Synchronization

/// Why a registration ended; decides whether the plugin hears about it.
package enum RegistrationEnd: Sendable {
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
package final class Registration: @unchecked Sendable {
    package typealias Kind = RegistrationKind

    package let handle: UInt64
    package let kind: Kind
    package let userData: UnsafeMutableRawPointer?
    package let userDataFree: bothost_free_fn?
    /// False once ended; queued callbacks check it so that nothing runs after unregister.
    package let active = Atomic<Bool>(true)
    /// Releases the host-side resources (scheduler entries, bus entries …). Set before publishing.
    package nonisolated(unsafe) var teardown: (@Sendable (RegistrationEnd) -> Void)?

    package init(kind: Kind, userData: UnsafeMutableRawPointer?, free: bothost_free_fn?) {
        self.handle = HandleAllocator.make()
        self.kind = kind
        self.userData = userData
        self.userDataFree = free
    }

    package var isActive: Bool { active.load(ordering: .acquiring) }

    /// Runs and drops the teardown (it often captures this registration: dropping it breaks the
    /// cycle). Only the party that took the registration out of its table calls this.
    package func runTeardown(_ why: RegistrationEnd) {
        let teardown = self.teardown
        self.teardown = nil
        teardown?(why)
    }
}
