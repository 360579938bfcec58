import Synchronization

/// One host call whose answer arrives later in a callback (bus request, HTTP call, interaction
/// response), bridged to `async`: the continuation is resumed exactly once — by the answer, by the
/// registering call's failure, or when the host frees the user_data without having answered.
final class PendingCall<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var handle: bothost_handle = 0
        var cancelled = false
    }
    private let state = Mutex(State())
    private let host: PluginHost

    init(host: PluginHost) { self.host = host }

    /// Runs `start` (which makes the host call, passing a `PendingBox` for this call) and waits for
    /// the answer. Cancelling the awaiting Task unregisters the call (the host then answers
    /// `.cancelled`).
    static func run(host: PluginHost, _ start: (PendingCall<Value>) throws -> bothost_handle) async throws -> Value {
        let call = PendingCall<Value>(host: host)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                call.state.withLock { $0.continuation = continuation }
                do {
                    call.started(try start(call))
                } catch {
                    call.finish(.failure(error))
                }
            }
        } onCancel: {
            call.cancel()
        }
    }

    /// Resumes the waiting Task, once; later answers are ignored.
    func finish(_ result: Result<Value, any Error>) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }

    private func started(_ handle: bothost_handle) {
        let cancelNow = state.withLock { state in
            state.handle = handle
            return state.cancelled
        }
        if cancelNow { unregister(handle) }
    }

    private func cancel() {
        let handle = state.withLock { state in
            state.cancelled = true
            return state.handle
        }
        if handle != 0 { unregister(handle) }
    }

    private func unregister(_ handle: bothost_handle) {
        Registration(handle: handle, host: host).cancel()
    }
}

/// The user_data of a pending call: fails the call if the host frees it unanswered.
final class PendingBox<Value: Sendable>: CallbackBox {
    let call: PendingCall<Value>
    init(host: PluginHost, call: PendingCall<Value>) {
        self.call = call
        super.init(host: host)
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> PendingBox? {
        userData.map { Unmanaged<PendingBox>.fromOpaque($0).takeUnretainedValue() }
    }

    override func ended() {
        call.finish(.failure(PluginError(.cancelled, "the host ended the call without an answer")))
    }
}
