import BotHost
import Foundation

/// One way a JSON value breaks its schema: where (a JSON pointer into the value) and why.
struct SchemaProblem: Sendable, Equatable {
    enum Kind: Sendable {
        /// The value has the wrong JSON type.
        case type
        /// The value is not the `const` or one of the `enum` values, like a union's `type` tag.
        case value
        case other
        /// Introduces the problems of a union's closest alternative, which follow it.
        case header
    }

    var pointer: String
    var message: String
    var kind = Kind.other

    /// How many levels below the document root the problem sits.
    var depth: Int { JSONKind.depth(of: pointer) }
}

/// Checks JSON values against the JSON Schema subset that Discord's OpenAPI spec uses.
///
/// Supported: `$ref` (local pointers), `type` (one name or a list), `enum`, `const`, `minLength`,
/// `maxLength`, `pattern`, `format`, `minimum`, `maximum`, `minItems`, `maxItems`, `uniqueItems`,
/// `items`, `required`, `properties`, `additionalProperties` (false or a schema), `minProperties`,
/// `maxProperties`, `allOf`, `anyOf`, `oneOf`. An empty `enum` counts as absent (see below).
/// Ignored, because they never constrain a value: `title`, `description`, `contentEncoding`
/// (only on multipart file parts) and `x-discord-union` (marks an `anyOf` whose branches are
/// exclusive anyway; checking it as `anyOf` cannot reject a valid request). Any other keyword
/// is ignored too; the spec uses none.
struct SchemaEvaluator: Sendable {
    let document: JSONValue
    /// `#/components/schemas/<name>`, indexed once: `$ref` is by far the hottest lookup.
    let namedSchemas: [String: JSONValue]
    let patterns: SchemaPatterns

    /// A `$ref` loop in a broken spec must end as a problem, not as a stack overflow.
    static let maxDepth = 200

    init(document: JSONValue) {
        self.document = document
        var named: [String: JSONValue] = [:]
        for member in document["components"]?["schemas"]?.objectValue ?? JSONObject() {
            named[member.key] = member.value
        }
        namedSchemas = named
        patterns = SchemaPatterns(collectingFrom: document)
    }

    /// Every problem of `value` against `schema`; empty when it is valid.
    func problems(of value: JSONValue, against schema: JSONValue, at pointer: String = "") -> [SchemaProblem] {
        var out: [SchemaProblem] = []
        check(value, schema, pointer, depth: 0, &out)
        return out
    }

    /// The schema a `$ref` names, for local references (`#/...`) only.
    func resolve(_ reference: String) -> JSONValue? {
        let prefix = "#/components/schemas/"
        if reference.hasPrefix(prefix), let named = namedSchemas[String(reference.dropFirst(prefix.count))] {
            return named
        }
        guard reference.hasPrefix("#") else { return nil }
        var node = document
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let object): guard let next = object[key] else { return nil }; node = next
            case .array(let items): guard let i = Int(key), items.indices.contains(i) else { return nil }; node = items[i]
            default: return nil
            }
        }
        return node
    }

    /// `schema` itself, or what its `$ref` points to when it is nothing but a reference.
    func dereferenced(_ schema: JSONValue) -> JSONValue {
        var current = schema
        for _ in 0..<Self.maxDepth {
            guard let reference = current["$ref"]?.stringValue, let target = resolve(reference) else { return current }
            current = target
        }
        return current
    }

    func check(_ value: JSONValue, _ schema: JSONValue, _ pointer: String, depth: Int, _ out: inout [SchemaProblem]) {
        guard case .object(let keywords) = schema else {
            if schema == .bool(false) { out.append(SchemaProblem(pointer: pointer, message: "no value is allowed here")) }
            return
        }
        guard depth < Self.maxDepth else {
            out.append(SchemaProblem(pointer: pointer, message: "the spec's schemas nest deeper than \(Self.maxDepth) levels here"))
            return
        }
        if let reference = keywords["$ref"]?.stringValue {
            guard let target = resolve(reference) else {
                out.append(SchemaProblem(pointer: pointer, message: "the spec's $ref \(reference) does not resolve"))
                return
            }
            check(value, target, pointer, depth: depth + 1, &out)
        }
        if let types = keywords["type"], !JSONKind.matches(value, types) {
            // The other keywords would only repeat this problem in other words.
            out.append(SchemaProblem(pointer: pointer, message: "expected \(JSONKind.describeTypes(types)), found \(JSONKind.describe(value))",
                                     kind: .type))
            return
        }
        // An empty enum would reject everything; the spec has two, beside an allOf that carries
        // the real values (guild join request actions), so an empty one constrains nothing.
        if let options = keywords["enum"]?.arrayValue, !options.isEmpty, !options.contains(where: { JSONKind.same($0, value) }) {
            let allowed = options.map(JSONKind.literal).joined(separator: ", ")
            out.append(SchemaProblem(pointer: pointer, message: "\(JSONKind.describe(value)) is not one of the allowed values \(allowed)",
                                     kind: .value))
        }
        if let constant = keywords["const"], !JSONKind.same(constant, value) {
            out.append(SchemaProblem(pointer: pointer, message: "expected exactly \(JSONKind.literal(constant)), found \(JSONKind.describe(value))",
                                     kind: .value))
        }
        switch value {
        case .string(let text): checkString(text, keywords, pointer, &out)
        case .number(let number): checkNumber(number, keywords, pointer, &out)
        case .array(let items): checkArray(items, keywords, pointer, depth: depth, &out)
        case .object(let object): checkObject(object, keywords, pointer, depth: depth, &out)
        case .null, .bool: break
        }
        checkCombinators(value, keywords, pointer, depth: depth, &out)
    }

    private func checkString(_ text: String, _ keywords: JSONObject, _ pointer: String, _ out: inout [SchemaProblem]) {
        // JSON Schema counts characters as Unicode code points, as Discord does.
        let length = text.unicodeScalars.count
        if let min = keywords["minLength"]?.numberValue?.int64, length < min {
            out.append(SchemaProblem(pointer: pointer, message: "string of \(JSONKind.count(length, "character")) is shorter than minLength \(min)"))
        }
        if let max = keywords["maxLength"]?.numberValue?.int64, length > max {
            out.append(SchemaProblem(pointer: pointer, message: "string of \(JSONKind.count(length, "character")) is longer than maxLength \(max)"))
        }
        // A snowflake's pattern and format say the same thing: report it once, by its format.
        if let format = keywords["format"]?.stringValue, let problem = SchemaFormat.problem(string: text, format: format) {
            out.append(SchemaProblem(pointer: pointer, message: problem))
        } else if let pattern = keywords["pattern"]?.stringValue, let problem = patterns.problem(text, pattern) {
            out.append(SchemaProblem(pointer: pointer, message: problem))
        }
    }

    private func checkNumber(_ number: JSONNumber, _ keywords: JSONObject, _ pointer: String, _ out: inout [SchemaProblem]) {
        if let min = keywords["minimum"]?.numberValue, JSONKind.compare(number, min) == .orderedAscending {
            out.append(SchemaProblem(pointer: pointer, message: "\(number) is less than minimum \(min)"))
        }
        if let max = keywords["maximum"]?.numberValue, JSONKind.compare(number, max) == .orderedDescending {
            out.append(SchemaProblem(pointer: pointer, message: "\(number) is greater than maximum \(max)"))
        }
        if let format = keywords["format"]?.stringValue, let problem = SchemaFormat.problem(number: number, format: format) {
            out.append(SchemaProblem(pointer: pointer, message: problem))
        }
    }

    private func checkArray(_ items: [JSONValue], _ keywords: JSONObject, _ pointer: String, depth: Int,
                            _ out: inout [SchemaProblem]) {
        if let min = keywords["minItems"]?.numberValue?.int64, items.count < min {
            out.append(SchemaProblem(pointer: pointer, message: "array of \(JSONKind.count(items.count, "item")) has fewer than minItems \(min)"))
        }
        if let max = keywords["maxItems"]?.numberValue?.int64, items.count > max {
            out.append(SchemaProblem(pointer: pointer, message: "array of \(JSONKind.count(items.count, "item")) has more than maxItems \(max)"))
        }
        if keywords["uniqueItems"]?.boolValue == true, let (first, second) = JSONKind.firstDuplicate(in: items) {
            out.append(SchemaProblem(pointer: pointer, message: "items \(first) and \(second) are equal, but uniqueItems is required"))
        }
        if let itemSchema = keywords["items"] {
            for (index, item) in items.enumerated() {
                check(item, itemSchema, pointer + "/\(index)", depth: depth + 1, &out)
            }
        }
    }

    private func checkObject(_ object: JSONObject, _ keywords: JSONObject, _ pointer: String, depth: Int,
                             _ out: inout [SchemaProblem]) {
        for case .string(let name) in keywords["required"]?.arrayValue ?? [] where object[name] == nil {
            out.append(SchemaProblem(pointer: pointer, message: "missing required property \"\(name)\""))
        }
        if let min = keywords["minProperties"]?.numberValue?.int64, object.count < min {
            out.append(SchemaProblem(pointer: pointer, message: "object with \(JSONKind.count(object.count, "property")) has fewer than minProperties \(min)"))
        }
        if let max = keywords["maxProperties"]?.numberValue?.int64, object.count > max {
            out.append(SchemaProblem(pointer: pointer, message: "object with \(JSONKind.count(object.count, "property")) has more than maxProperties \(max)"))
        }
        let properties = keywords["properties"]?.objectValue
        let additional = keywords["additionalProperties"]
        for member in object {
            let memberPointer = pointer + "/" + JSONKind.escapePointerToken(member.key)
            if let propertySchema = properties?[member.key] {
                check(member.value, propertySchema, memberPointer, depth: depth + 1, &out)
            } else if additional == .bool(false) {
                out.append(SchemaProblem(pointer: memberPointer, message: "property \"\(member.key)\" is not allowed here (additionalProperties is false)"))
            } else if let additional, additional != .bool(true) {
                check(member.value, additional, memberPointer, depth: depth + 1, &out)
            }
        }
    }
}
