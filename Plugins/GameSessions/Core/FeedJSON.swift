/// A JSON value as read from a game server's feed.
///
/// Feeds are parsed by `FeedJSONParser` rather than Foundation's JSONSerialization: that one is
/// several times slower on large game lists and returns booleans as numbers (`1` reads as `true`),
/// which would make type checks on untrusted data unreliable. Objects keep their members in feed
/// order as a list: feed objects are small, and a list costs less than a dictionary per object.
public enum FeedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([FeedJSON])
    case object([FeedMember])

    /// The member `key` of an object (the first, should a feed repeat a key).
    public subscript(key: String) -> FeedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public var arrayValue: [FeedJSON]? {
        if case .array(let items) = self { items } else { nil }
    }

    public var objectMembers: [FeedMember]? {
        if case .object(let members) = self { members } else { nil }
    }

    public var isNull: Bool { self == .null }

    /// What kind of value this is, for messages ("an array", "a string" …).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One member of a JSON object.
public struct FeedMember: Sendable, Equatable {
    public let key: String
    public let value: FeedJSON

    public init(key: String, value: FeedJSON) {
        self.key = key
        self.value = value
    }
}
