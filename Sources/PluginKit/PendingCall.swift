import Synchronization

/// One host call whose answer arrives later in a callback (bus request, HTTP call, interaction
/// response), bridged to `async`. The continuation is resumed exactly once: by the answer, by the
/// registering call's own failure, or when the host frees the user_data without having answered.
///
/// The host may free the user_data before the registering call has even returned (it does so on
/// failure, and the free runs on the plugin's executor while the caller may be on another thread),
/// so an early free is held back until the call's own outcome is known; that outcome wins.
final class PendingCall<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var handle: bothost_handle = 0
        var registering = true
        var freedEarly = false
        var cancelled = false
    }
    private let state = Mutex(State())
    private let host: PluginHost

    init(host: PluginHost) { self.host = host }

    /// Runs `start` (which makes the host call with a `PendingBox` for this call and returns the
    /// handle, or 0 for calls without one) and waits for the answer. Cancelling the awaiting Task
    /// unregisters the call (the host then ends it as cancelled).
    ///
    /// Runs on the caller's executor (nonsending): the only hop is the one every resumed
    /// continuation takes, through the global pool back to the plugin's executor.
    nonisolated(nonsending) static func run(host: PluginHost, _ start: (PendingCall<Value>) throws -> bothost_handle) async throws -> Value {
        let call = PendingCall<Value>(host: host)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                call.state.withLock { $0.continuation = continuation }
                do {
                    call.started(try start(call))
                } catch {
                    call.failedToStart(error)
                }
            }
        } onCancel: {
            call.cancel()
        }
    }

    /// The answer arrived: resumes the waiting Task (once; later outcomes are ignored).
    func finish(_ result: Result<Value, any Error>) {
        state.withLock { Self.take(&$0) }?.resume(with: result)
    }

    /// The host freed the user_data (called from `PendingBox.ended`).
    func freed() {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            if state.registering {
                state.freedEarly = true
                return nil
            }
            return Self.take(&state)
        }
        continuation?.resume(throwing: endedError())
    }

    private func started(_ handle: bothost_handle) {
        let (continuation, cancelNow) = state.withLock { state in
            state.registering = false
            state.handle = handle
            return (state.freedEarly ? Self.take(&state) : nil, state.cancelled)
        }
        continuation?.resume(throwing: endedError())
        if cancelNow && handle != 0 { unregister(handle) }
    }

    private func failedToStart(_ error: any Error) {
        let continuation = state.withLock { state in
            state.registering = false
            return Self.take(&state)
        }
        continuation?.resume(throwing: error)
    }

    private func cancel() {
        let handle = state.withLock { state in
            state.cancelled = true
            return state.handle
        }
        if handle != 0 { unregister(handle) }
    }

    private func endedError() -> PluginError {
        state.withLock { $0.cancelled }
            ? PluginError(.cancelled, "cancelled")
            : PluginError(.cancelled, "the host ended the call without an answer (is the plugin stopping?)")
    }

    private static func take(_ state: inout State) -> CheckedContinuation<Value, any Error>? {
        defer { state.continuation = nil }
        return state.continuation
    }

    private func unregister(_ handle: bothost_handle) {
        Registration(handle: handle, host: host).cancel()
    }
}

/// The user_data of a pending call: ends the call if the host frees it unanswered.
final class PendingBox<Value: Sendable>: CallbackBox {
    let call: PendingCall<Value>
    init(host: PluginHost, call: PendingCall<Value>) {
        self.call = call
        super.init(host: host)
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> PendingBox? {
        userData.map { Unmanaged<PendingBox>.fromOpaque($0).takeUnretainedValue() }
    }

    override func ended() { call.freed() }
}
