import Foundation

/// One JSON object read field by field, with errors that name the field and say what was wrong.
/// Absent and `null` fields read as nil; a field of the wrong type is an error, never a default, so
/// a config or request that says something the plugin did not understand is refused, not guessed at.
///
/// A type reads itself in `init(from:)` with `JSONFields(decoder)`, and a whole payload is read with
/// `JSONFields.decode(_:from:what:)`.
public struct JSONFields {
    private let container: KeyedDecodingContainer<FieldKey>

    /// The object `decoder` holds; anything else (an array, a string, …) is an error.
    public init(_ decoder: any Decoder) throws(FieldError) {
        do {
            container = try decoder.container(keyedBy: FieldKey.self)
        } catch {
            throw FieldError("", "must be a JSON object")
        }
    }

    private init(container: KeyedDecodingContainer<FieldKey>) {
        self.container = container
    }

    /// Decodes a whole document as `T` (whose `init(from:)` reads it with `JSONFields`); `what`
    /// names the document in errors about it as a whole ("the config is not valid JSON").
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(FieldError) -> T {
        guard bytes.contains(where: { !" \t\r\n".utf8.contains($0) }) else {
            throw FieldError("", "\(what) is empty; expected a JSON object")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as FieldError {
            throw error.field.isEmpty ? FieldError("", "\(what) \(error.problem)") : error
        } catch DecodingError.dataCorrupted {
            throw FieldError("", "\(what) is not valid JSON")
        } catch {
            throw FieldError("", "\(what) must be a JSON object")
        }
    }

    /// The keys written in the object, `null` ones included.
    public var keys: [String] { container.allKeys.map(\.stringValue) }

    /// Whether the field holds a value (absent and `null` do not).
    public func has(_ name: String) -> Bool {
        let key = FieldKey(name)
        return container.contains(key) && !((try? container.decodeNil(forKey: key)) ?? false)
    }

    /// Whether the key is written at all, even as `null` (a key set to null can switch a field off).
    public func isPresent(_ name: String) -> Bool { container.contains(FieldKey(name)) }

    /// Keys are checked strictly: a misspelt key would otherwise silently keep its default. The first
    /// unknown key (in sorted order, so the error is stable) is the error, listing the known ones.
    public func rejectUnknown(known: [String]) throws(FieldError) {
        if let unknown = keys.sorted().first(where: { !known.contains($0) }) {
            throw FieldError(unknown, "is not a known key; known keys: \(known.joined(separator: ", "))")
        }
    }

    public func string(_ name: String) throws(FieldError) -> String? {
        try read(name, String.self, "must be a string")
    }

    /// A whole number (JSON numbers with a fraction are refused, not truncated).
    public func integer(_ name: String) throws(FieldError) -> Int64? {
        try read(name, Int64.self, "must be a whole number")
    }

    public func number(_ name: String) throws(FieldError) -> Double? {
        try read(name, Double.self, "must be a number")
    }

    public func bool(_ name: String) throws(FieldError) -> Bool? {
        try read(name, Bool.self, "must be true or false")
    }

    /// A list of strings.
    public func strings(_ name: String) throws(FieldError) -> [String]? {
        try read(name, [String].self, "must be a list of strings such as [\"a\", \"b\"]")
    }

    /// A nested object, read the same way.
    public func object(_ name: String) throws(FieldError) -> JSONFields? {
        guard has(name) else { return nil }
        do {
            return JSONFields(container: try container.nestedContainer(keyedBy: FieldKey.self, forKey: FieldKey(name)))
        } catch {
            throw FieldError(name, "must be a JSON object, \(found(name))")
        }
    }

    /// A list of objects, each read the same way; an element that is not an object names its index.
    public func objects(_ name: String) throws(FieldError) -> [JSONFields]? {
        guard has(name) else { return nil }
        var list: UnkeyedDecodingContainer
        do {
            list = try container.nestedUnkeyedContainer(forKey: FieldKey(name))
        } catch {
            throw FieldError(name, "must be a list of objects, \(found(name))")
        }
        var result: [JSONFields] = []
        while !list.isAtEnd {
            let index = list.currentIndex
            do {
                result.append(JSONFields(container: try list.nestedContainer(keyedBy: FieldKey.self)))
            } catch {
                throw FieldError("\(name)[\(index)]", "must be a JSON object")
            }
        }
        return result
    }

    /// A Discord snowflake, written as a string of digits. A JSON number is refused with its own
    /// message: past 2^53 it has already lost precision, so reading it would name the wrong id.
    /// Callers that keep ids as text use `String(value)`, the canonical form (no leading zeros).
    public func snowflake(_ name: String) throws(FieldError) -> UInt64? {
        if has(name), (try? container.decode(Double.self, forKey: FieldKey(name))) != nil {
            throw FieldError(name, "must be a snowflake written as a string of digits, e.g. \"80351110224678912\" "
                             + "(as a JSON number it loses precision past 2^53)")
        }
        guard let text = try string(name) else { return nil }
        guard let value = Snowflake.parse(text) else {
            throw FieldError(name, "must be a snowflake: a string of digits such as \"80351110224678912\", got \(quoted(text))")
        }
        return value
    }

    private func read<T: Decodable>(_ name: String, _ type: T.Type, _ expectation: String) throws(FieldError) -> T? {
        guard has(name) else { return nil }
        do {
            return try container.decode(T.self, forKey: FieldKey(name))
        } catch {
            throw FieldError(name, "\(expectation), \(found(name))")
        }
    }

    /// What the field holds, for error messages.
    private func found(_ name: String) -> String {
        let key = FieldKey(name)
        if let text = try? container.decode(String.self, forKey: key) { return "got \(quoted(text))" }
        if let flag = try? container.decode(Bool.self, forKey: key) { return "got \(flag)" }
        if let number = try? container.decode(Double.self, forKey: key) {
            // 7, not 7.0: say it as it was most likely written.
            return number == number.rounded() && abs(number) < 1e15 ? "got \(Int64(number))" : "got \(number)"
        }
        if (try? container.nestedContainer(keyedBy: FieldKey.self, forKey: key)) != nil { return "got an object" }
        return "got an array"
    }

    private func quoted(_ text: String) -> String {
        text.count > 40 ? "\"\(text.prefix(40))…\"" : "\"\(text)\""
    }
}

/// Any field name.
struct FieldKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
