import BotHostCore
import Foundation

/// What one response says about rate limits, read from its headers (and, for a 429, its body).
/// Times are milliseconds, rounded up so that waiting for them never ends early.
package struct RateLimitInfo: Sendable, Equatable {
    /// The 429 scopes Discord reports in X-RateLimit-Scope.
    package enum Scope: String, Sendable {
        case user, global, shared
    }

    package var bucket: String?
    package var limit: Int?
    package var remaining: Int?
    package var resetAfterMs: Int64?
    /// Set on a 429 only.
    package var retryAfterMs: Int64?
    package var scope: Scope?
    package var isGlobal = false

    package init(bucket: String? = nil, limit: Int? = nil, remaining: Int? = nil, resetAfterMs: Int64? = nil,
         retryAfterMs: Int64? = nil, scope: Scope? = nil, isGlobal: Bool = false) {
        self.bucket = bucket
        self.limit = limit
        self.remaining = remaining
        self.resetAfterMs = resetAfterMs
        self.retryAfterMs = retryAfterMs
        self.scope = scope
        self.isGlobal = isGlobal
    }

    /// Reads a response. A malformed header is treated as absent: a proxy's odd header must not
    /// disable limiting, and the limiter stays conservative about what it does not know.
    package init(status: Int, headers: [(String, String)], body: [UInt8]) {
        func value(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1.trimmingCharacters(in: .whitespaces)
        }
        bucket = value("X-RateLimit-Bucket").flatMap { $0.isEmpty || $0.utf8.count > 128 ? nil : $0 }
        limit = value("X-RateLimit-Limit").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        remaining = value("X-RateLimit-Remaining").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        resetAfterMs = value("X-RateLimit-Reset-After").flatMap(Self.milliseconds)
        scope = value("X-RateLimit-Scope").flatMap { Scope(rawValue: $0.lowercased()) }
        isGlobal = value("X-RateLimit-Global")?.lowercased() == "true" || scope == .global
        guard status == 429 else { return }
        // The body's retry_after is a precise float; the header may be rounded to whole seconds.
        let body = Self.tooManyRequestsBody(body)
        retryAfterMs = body.retryAfterMs ?? value("Retry-After").flatMap(Self.milliseconds) ?? resetAfterMs
        if body.global == true { isGlobal = true }
    }

    /// Seconds as text ("1", "0.250") to whole milliseconds, rounded up; nil for junk or absurd values.
    package static func milliseconds(_ text: String) -> Int64? {
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 86_400 * 7 else { return nil }
        return Int64((seconds * 1000).rounded(.up))
    }

    /// `{"message", "retry_after", "global"}` of a 429 body, when it is that JSON.
    private static func tooManyRequestsBody(_ body: [UInt8]) -> (retryAfterMs: Int64?, global: Bool?) {
        guard !body.isEmpty, body.count <= 64 * 1024, let object = (try? JSONValue.parse(body))?.objectValue else {
            return (nil, nil)
        }
        let retry = object["retry_after"]?.numberValue.flatMap { number -> Int64? in
            let seconds = number.double
            return seconds.isFinite && seconds >= 0 && seconds < 86_400 * 7 ? Int64((seconds * 1000).rounded(.up)) : nil
        }
        return (retry, object["global"]?.boolValue)
    }
}
