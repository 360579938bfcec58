import Foundation

/// JSON text that PluginKit passes through as is instead of encoding it (for bus replies, bus
/// payloads and interaction messages built by hand).
public struct RawJSON: Encodable, Sendable {
    public var text: String
    public init(_ text: String) { self.text = text }

    /// PluginKit passes a RawJSON through unchanged only where it is the whole payload; nested inside
    /// another Encodable it is encoded as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

enum JSON {
    /// Bytes of `value` as JSON; RawJSON passes through unchanged.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let raw = value as? RawJSON { return Array(raw.text.utf8) }
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw PluginError(.invalidArgument, "could not encode \(T.self) as JSON: \(describe(error))")
        }
    }

    /// Decodes `T` from JSON bytes, with an operator-readable error.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw PluginError(.invalidArgument, "\(what): \(describe(error))")
        }
    }

    /// The message of an `{"error": "…"}` payload, if it is one.
    static func errorText(_ bytes: [UInt8]) -> String? {
        struct ErrorObject: Decodable { let error: String }
        return try? JSONDecoder().decode(ErrorObject.self, from: Data(bytes)).error
    }

    /// `{"error": message}` for error replies.
    static func errorObject(_ message: String) -> [UInt8] {
        (try? encode(["error": message])) ?? Array(#"{"error":"unknown"}"#.utf8)
    }
}
