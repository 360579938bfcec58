/// A live registration (timer, subscription, service, command, request, HTTP call, cleanup hook).
///
/// Everything a plugin registered ends when it stops, so keeping a Registration is only needed to
/// end one earlier. Cancelling twice, or from inside the registration's own callback, is harmless.
public struct Registration: Sendable, Hashable {
    /// The host's handle (never 0, never reused).
    public let handle: UInt64
    let host: PluginHost

    /// Ends the registration: a timer stops, a subscription or command goes away, an in-flight
    /// request or HTTP call completes with `.cancelled`, a cleanup hook is removed without running.
    public func cancel() {
        guard host.table.has(\.unregister), let unregister = host.table.api.unregister else { return }
        let status = unregister(host.plugin, handle)
        if status != StatusCode.ok.rawValue {
            host.log.warning("PluginKit: unregister(\(handle)) failed: \(host.table.lastError())")
        }
    }

    public static func == (lhs: Registration, rhs: Registration) -> Bool { lhs.handle == rhs.handle }
    public func hash(into hasher: inout Hasher) { hasher.combine(handle) }
}
