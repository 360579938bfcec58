import BotHost
import Foundation

/// The `format` values Discord's spec uses. JSON Schema makes `format` advisory; these are checked
/// because each one is a real constraint of Discord's API.
///   - int32, int64: integer ranges (Discord rejects larger values).
///   - snowflake: an id as a string of decimal digits that fits in 64 bits.
///   - date-time: an RFC 3339 timestamp.
///   - uri: an absolute URI (Discord also takes `attachment://name` references).
///   - double, nonce: no constraint beyond the type and length keywords beside them.
enum SchemaFormat {
    static func problem(number: JSONNumber, format: String) -> String? {
        guard JSONKind.isInteger(number) else { return nil }  // `type` reports non-integers
        switch format {
        case "int32":
            guard let value = number.int64, value >= Int64(Int32.min), value <= Int64(Int32.max) else {
                return "\(number) does not fit in a 32-bit integer (format int32)"
            }
        case "int64":
            guard number.int64 != nil else { return "\(number) does not fit in a 64-bit integer (format int64)" }
        default: break
        }
        return nil
    }

    static func problem(string text: String, format: String) -> String? {
        switch format {
        case "snowflake":
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  UInt64(text) != nil else {
                return "\(JSONKind.literal(.string(text))) is not a snowflake (a 64-bit id written as a string of digits)"
            }
        case "date-time":
            guard isDateTime(text) else {
                return "\(JSONKind.literal(.string(text))) is not an RFC 3339 date-time such as \"2024-01-31T12:00:00Z\""
            }
        case "uri":
            guard let scheme = URL(string: text)?.scheme, !scheme.isEmpty else {
                return "\(JSONKind.literal(.string(text))) is not an absolute URI (format uri)"
            }
        default: break
        }
        return nil
    }

    /// RFC 3339 section 5.6: full-date "T" full-time, with a zone ("Z" or an offset).
    static func isDateTime(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return dateTime?.firstMatch(in: text, range: range) != nil
    }

    private static let dateTime = try? NSRegularExpression(
        pattern: #"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"#)
}

/// The spec's `pattern` regexes, compiled once when the spec loads.
struct SchemaPatterns: Sendable {
    private let compiled: [String: NSRegularExpression]

    init(collectingFrom document: JSONValue) {
        var found: [String: NSRegularExpression] = [:]
        Self.collect(document, into: &found)
        compiled = found
    }

    /// A message when `text` does not match `pattern` (searched anywhere, as JSON Schema says).
    func problem(_ text: String, _ pattern: String) -> String? {
        guard let regex = compiled[pattern] ?? (try? NSRegularExpression(pattern: pattern)) else {
            return nil  // a pattern Foundation cannot compile constrains nothing it could check
        }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        guard regex.firstMatch(in: text, range: range) == nil else { return nil }
        return "\(JSONKind.literal(.string(text))) does not match the pattern \(pattern)"
    }

    private static func collect(_ node: JSONValue, into found: inout [String: NSRegularExpression]) {
        switch node {
        case .object(let object):
            for member in object {
                if member.key == "pattern", case .string(let pattern) = member.value, found[pattern] == nil,
                   let regex = try? NSRegularExpression(pattern: pattern) {
                    found[pattern] = regex
                }
                collect(member.value, into: &found)
            }
        case .array(let items):
            for item in items { collect(item, into: &found) }
        default: break
        }
    }
}
