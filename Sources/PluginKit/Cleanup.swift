/// Hooks run while the plugin stops: before `stop()`, last registered first, each under the host's
/// `cleanupDeadlineMs`, while the plugin's state is still alive. They are the place to end what needs
/// that state: sessions, open files, pending writes, Tasks in flight. `stop()` then only frees state.
///
/// Threading: a hook runs on the plugin's executor, isolated to the plugin actor, one at a time with
/// every other callback. It is synchronous: Tasks it cancels finish after it returns, on the
/// executor while the plugin stops (or, for a last job that comes later, on PluginKit's own queue
/// once the host runs nothing more of the plugin's; see `PluginExecutor`). Inside a hook logging,
/// publishing, storage, config, `unregister`, `voice.leave(guild:)` and `voice.stopSending` work;
/// registering anything new fails with `.stopped`, and no timer, bus or command callback arrives.
/// A hook that overruns the deadline is reported and abandoned, and stopping goes on without it.
public struct Cleanup: Sendable {
    let host: PluginHost

    /// Registers `body` to run when the plugin stops (see the type's notes). Register from `start()`.
    /// Cancelling the registration removes the hook without running it.
    @discardableResult
    public func register(_ body: @escaping () -> Void) throws -> Registration {
        let cleanupRegister = try host.table.require(\.cleanup_register, "cleanup_register")
        return try host.register(HandlerBox(host: host, handler: body), "cleanup.register") { userData, handle in
            cleanupRegister(host.plugin, runCleanupHook, userData, releaseCallbackBox, handle)
        }
    }
}

private func runCleanupHook(_ userData: UnsafeMutableRawPointer?) {
    guard let box = HandlerBox<() -> Void>.from(userData) else { return }
    box.host.enter { box.handler() }
}
