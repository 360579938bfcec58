import Foundation

/// One object per thread, made on the thread's first use and released when the thread ends: the
/// per-thread state C reads like errno (`last_error`, `bus_message_info`).
///
/// Threading: each thread sees only its own object, so the object needs no lock.
package struct ThreadSlot<Object: AnyObject>: @unchecked Sendable {
    private let key: pthread_key_t
    private let make: @Sendable () -> Object

    package init(_ make: @escaping @Sendable () -> Object) {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        }
        self.key = key
        self.make = make
    }

    /// This thread's object.
    @inline(__always)
    package var current: Object {
        if let raw = pthread_getspecific(key) { return Unmanaged<Object>.fromOpaque(raw).takeUnretainedValue() }
        let object = make()
        pthread_setspecific(key, Unmanaged.passRetained(object).toOpaque())
        return object
    }
}
