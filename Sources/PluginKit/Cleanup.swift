/// Hooks run while the plugin stops: after `stop()`, last registered first, each under a deadline.
public struct Cleanup: Sendable {
    let host: PluginHost

    /// Registers `body` to run when the plugin stops. Cancelling the registration removes the hook
    /// without running it.
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
