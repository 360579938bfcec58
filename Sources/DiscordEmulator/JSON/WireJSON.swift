/// A JSON value as the emulator reads and writes it on the wire. Objects keep member order so
/// payloads look like Discord's and tests can compare raw text; integers stay exact.
enum WireJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([WireJSON])
    case object([Member])

    struct Member: Sendable, Equatable {
        var key: String
        var value: WireJSON
    }

    subscript(key: String) -> WireJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    var objectMembers: [Member]? { if case .object(let m) = self { m } else { nil } }
    var arrayValue: [WireJSON]? { if case .array(let a) = self { a } else { nil } }
    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    var isNull: Bool { self == .null }

    var int64Value: Int64? {
        switch self {
        case .int(let i): i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: Int64(d)
        default: nil
        }
    }

    var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// Discord sends ids as strings but accepts integers too.
    var snowflake: UInt64? {
        switch self {
        case .string(let s): UInt64(s)
        case .int(let i) where i >= 0: UInt64(i)
        default: nil
        }
    }

    /// A copy with `key` set (replaced in place when present, appended otherwise).
    func setting(_ key: String, _ value: WireJSON) -> WireJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(Member(key: key, value: value))
        }
        return .object(members)
    }

    func removing(_ key: String) -> WireJSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }

    static func snowflake(_ id: UInt64) -> WireJSON { .string(String(id)) }
    static func optionalSnowflake(_ id: UInt64?) -> WireJSON { id.map { .string(String($0)) } ?? .null }
}

extension WireJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int64) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: WireJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, WireJSON)...) {
        self = .object(elements.map { Member(key: $0.0, value: $0.1) })
    }
    init(nilLiteral: ()) { self = .null }
    init(floatLiteral value: Double) { self = .double(value) }
}
