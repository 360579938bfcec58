#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread-local note of which plugin executor the current thread is running a host callback for.
///
/// The host runs a plugin's callbacks on its own serial executor, which the Swift runtime knows
/// nothing about. PluginKit sets this marker around every callback it receives, so that
/// `PluginExecutor.isIsolatingCurrentContext()` answers truthfully and `assumeIsolated` works there.
enum CallbackMarker {
    /// One pthread key per copy of PluginKit (each plugin .so has its own).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` marked as inside `executor`; restores the previous marker afterwards (callbacks
    /// can nest, e.g. a storage listing inside a timer).
    static func with<T>(_ executor: PluginExecutor, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(executor).toOpaque())
        defer { pthread_setspecific(key, previous) }
        return try body()
    }

    /// True while the current thread runs a host callback for `executor`.
    static func isInside(_ executor: PluginExecutor) -> Bool {
        pthread_getspecific(key) == Unmanaged.passUnretained(executor).toOpaque()
    }
}
