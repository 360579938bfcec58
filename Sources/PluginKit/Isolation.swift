extension PluginHost {
    /// Runs `body` as a host callback: the thread is marked as inside this plugin's executor and
    /// `body` runs isolated to the plugin actor, so actor-isolated handler closures may run here.
    func enter(_ body: () -> Void) {
        CallbackMarker.with(executor) {
            if let actor = isolation {
                // `body` calls a handler the plugin registered from inside its actor, i.e. a closure
                // isolated to that actor; the C boundary hides this from the compiler, and
                // assumeIsolated checks at run time that this thread really is the actor's executor.
                withoutActuallyEscaping(body) { body in
                    nonisolated(unsafe) let body = body
                    actor.assumeIsolated { _ in body() }
                }
            } else {
                body()  // init, or after the actor is gone (late cleanup hooks): marker only
            }
        }
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

/// A value that belongs to the plugin actor (a handler closure the plugin registered from inside it),
/// carried through PluginKit's nonisolated trampolines. Only unwrap it on the plugin's executor.
struct ActorBound<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
