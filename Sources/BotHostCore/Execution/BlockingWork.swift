import Foundation

/// Work that blocks its thread (waiting for another process, a socket, a deadline) runs on a
/// thread of its own: neither the cooperative pool nor Dispatch's global queues, which have about
/// as many threads as cores, may be tied up by it.
package enum BlockingWork {
    /// Runs `work` on a new thread and returns its result.
    package static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { done in
            detach(name) { done.resume(returning: work()) }
        }
    }

    /// Runs `work` on a new thread without waiting for it.
    package static func detach(_ name: String, _ work: @escaping @Sendable () -> Void) {
        let thread = Thread { work() }
        thread.name = name
        thread.start()
    }
}
