/// What PluginKit hands the host as `user_data`: retained once when passed to a registering call,
/// released exactly once by `releaseCallbackBox`, the `user_data_free` the host calls whichever way
/// the registration ends (including when the registering call fails).
class CallbackBox {
    let host: PluginHost
    init(host: PluginHost) { self.host = host }

    /// The registration ended (called just before the release). Pending calls fail here if their
    /// answer never came.
    func ended() {}
}

/// A box holding one handler closure.
final class HandlerBox<Handler>: CallbackBox {
    let handler: Handler
    init(host: PluginHost, handler: Handler) {
        self.handler = handler
        super.init(host: host)
    }

    /// The box behind a callback's `user_data` (which PluginKit created with this very type).
    static func from(_ userData: UnsafeMutableRawPointer?) -> HandlerBox? {
        userData.map { Unmanaged<HandlerBox>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// The `bothost_free_fn` for every CallbackBox.
func releaseCallbackBox(_ userData: UnsafeMutableRawPointer?) {
    guard let userData else { return }
    let box = Unmanaged<CallbackBox>.fromOpaque(userData)
    let executor = box.takeUnretainedValue().host.executor
    CallbackMarker.with(executor) {
        box.takeUnretainedValue().ended()
        box.release()
    }
}

extension PluginHost {
    /// Passes `box` to a registering host call and turns the result into a `Registration`.
    ///
    /// The box is not released on failure: the host calls `user_data_free` even then (ABI rule 5).
    func register(_ box: CallbackBox, _ what: String,
                  _ call: (UnsafeMutableRawPointer, UnsafeMutablePointer<bothost_handle>) -> bothost_status) throws -> Registration {
        let userData = Unmanaged.passRetained(box).toOpaque()
        var handle: bothost_handle = 0
        let status = call(userData, &handle)
        try check(status, what)
        return Registration(handle: handle, host: self)
    }
}
