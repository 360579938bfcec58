import Foundation

// Conversions between Swift values and the ABI's slices. What the host passes is valid only during
// the callback, so everything read from it is copied; what PluginKit passes lives for the call.

extension String {
    /// Copies a host string slice (not NUL-terminated; `ptr` may be NULL when empty).
    init(_ slice: bothost_str) {
        guard let pointer = slice.ptr, slice.len > 0 else { self = ""; return }
        self = String(decoding: UnsafeRawBufferPointer(start: pointer, count: slice.len), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Copies a host byte slice; a NULL pointer reads as empty.
    init(_ slice: bothost_bytes) {
        guard let pointer = slice.ptr, slice.len > 0 else { self = []; return }
        self = Array(UnsafeBufferPointer(start: pointer, count: slice.len))
    }
}

/// Lends `string` to the host as a slice for the duration of `body`.
func withStr<R>(_ string: String, _ body: (bothost_str) throws -> R) rethrows -> R {
    // withCString is zero-copy for native strings; the length is the UTF-8 count, so embedded NULs survive.
    let length = string.utf8.count
    return try string.withCString { try body(bothost_str(ptr: $0, len: length)) }
}

/// Lends `bytes` to the host as a slice for the duration of `body`.
func withBytes<R>(_ bytes: [UInt8], _ body: (bothost_bytes) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { try body(bothost_bytes(ptr: $0.baseAddress, len: $0.count)) }
}

/// Milliseconds for the ABI, clamped at 0 and at `limit`.
func milliseconds(_ duration: Duration, limit: UInt64 = UInt64.max) -> UInt64 {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0 else { return 0 }
    let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1000)
    if overflow { return limit }
    return min(limit, whole &+ UInt64(attoseconds / 1_000_000_000_000_000))
}
