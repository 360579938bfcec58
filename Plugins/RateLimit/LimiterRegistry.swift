import StrictJSON

/// The limiters requests can use: those configured by name, and those a request describes inline
/// (one store per distinct rate/period/burst, so equal inline limiters share their keys).
struct LimiterRegistry {
    /// Inline limiters are meant for a few fixed shapes per plugin; a request that invents a new
    /// shape each time would otherwise grow memory without bound.
    static let maxInline = 64

    private var named: [String: KeyedLimiter]
    private var inline: [LimiterSpec: KeyedLimiter] = [:]
    private let epochMs: Int64

    init(specs: [String: LimiterSpec], epochMs: Int64) {
        named = specs.mapValues { KeyedLimiter(spec: $0, epochMs: epochMs) }
        self.epochMs = epochMs
    }

    var names: [String] { named.keys.sorted() }

    /// Takes the configured limiters of a new config: an unchanged one keeps its keys, a changed or
    /// new one starts with every key at its full burst, a removed one goes. Returns the changed names.
    mutating func reconfigure(_ specs: [String: LimiterSpec]) -> [String] {
        var changed = Array(Set(named.keys).subtracting(specs.keys))
        named = specs.reduce(into: [:]) { result, item in
            if let kept = named[item.key], kept.spec == item.value {
                result[item.key] = kept
            } else {
                result[item.key] = KeyedLimiter(spec: item.value, epochMs: epochMs)
                changed.append(item.key)
            }
        }
        return changed.sorted()
    }

    /// Keys tracked across all limiters.
    var keyCount: Int { named.values.reduce(0) { $0 + $1.count } + inline.values.reduce(0) { $0 + $1.count } }

    mutating func limiter(_ choice: LimiterChoice) throws(FieldError) -> KeyedLimiter {
        switch choice {
        case .named(let name):
            guard let limiter = named[name] else {
                throw FieldError("limiter", "names no configured limiter: \"\(name)\"; configured: \(names.joined(separator: ", "))")
            }
            return limiter
        case .inline(let spec):
            if let limiter = inline[spec] { return limiter }
            guard inline.count < Self.maxInline else {
                throw FieldError("rate", "describes a new inline limiter (\(spec)), but \(Self.maxInline) are in use; "
                                 + "configure named limiters in plugins.json instead")
            }
            let limiter = KeyedLimiter(spec: spec, epochMs: epochMs)
            inline[spec] = limiter
            return limiter
        }
    }

    /// Drops keys back at their full burst, and inline limiters left with no key; returns the keys dropped.
    mutating func sweep(nowMs: Int64) -> Int {
        var dropped = 0
        for limiter in named.values { dropped += limiter.sweep(nowMs: nowMs) }
        for (spec, limiter) in inline {
            dropped += limiter.sweep(nowMs: nowMs)
            if limiter.count == 0 { inline[spec] = nil }
        }
        return dropped
    }
}
