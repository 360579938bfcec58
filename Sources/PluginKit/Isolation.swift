extension PluginHost {
    /// Runs `body` as a host callback: the thread is marked as inside this plugin's executor and
    /// `body` runs isolated to the plugin actor, so actor-isolated handler closures may run here.
    func enter(_ body: () -> Void) {
        CallbackMarker.with(executor) {
            if let actor = isolation {
                actor.assumeIsolated { _ in body() }
            } else {
                body()  // init, or after the actor is gone (late cleanup hooks): marker only
            }
        }
    }

    /// Like `enter`, returning what `body` returns or throws (for lifecycle callbacks).
    func enter<T: Sendable>(_ body: () throws -> T) -> Result<T, any Error> {
        var result: Result<T, any Error> = .failure(PluginError(.internalError, "callback did not run"))
        enter { result = Result { try body() } }
        return result
    }

    /// Starts a Task isolated to the plugin actor, for async handlers (bus services, commands).
    ///
    /// The operation receives the actor as its isolated parameter, so all of it runs on the plugin's
    /// executor, after the current callback returns.
    func spawn(_ operation: @escaping (isolated any Actor) async -> Void) {
        // The handler closures `operation` captures were registered on this plugin's executor and are
        // only ever called from it; the Task below is isolated to the actor whose executor that is.
        // The compiler cannot see that through the C boundary, hence the unchecked hand-off.
        nonisolated(unsafe) let operation = operation
        guard let actor = isolation else {
            log.error("PluginKit: an async handler arrived after the plugin actor was released; dropped")
            return
        }
        CallbackMarker.with(executor) {
            actor.assumeIsolated { isolated in
                _ = Task { await operation(isolated) }
            }
        }
    }
}
