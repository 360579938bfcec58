import BotHost
import Foundation

/// One path of the spec, e.g. `/channels/{channel_id}/messages/{message_id}`, with its operations.
struct OpenAPIRoute: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let template: String
    let segments: [Segment]
    /// Operation objects by upper-case HTTP method.
    let operations: [String: JSONValue]
    /// Path parameters' schemas by name. Discord declares them on the path item, shared by its operations.
    let parameterSchemas: [String: JSONValue]

    static let methodOrder = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]

    init(template: String, item: JSONObject) {
        self.template = template
        segments = template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        var operations: [String: JSONValue] = [:]
        for member in item where Self.methodOrder.contains(member.key.uppercased()) {
            operations[member.key.uppercased()] = member.value
        }
        self.operations = operations
        var schemas: [String: JSONValue] = [:]
        for parameter in item["parameters"]?.arrayValue ?? [] where parameter["in"]?.stringValue == "path" {
            if let name = parameter["name"]?.stringValue, let schema = parameter["schema"] { schemas[name] = schema }
        }
        parameterSchemas = schemas
    }

    var definedMethods: String {
        Self.methodOrder.filter { operations[$0] != nil }.joined(separator: ", ")
    }

    /// At the first segment where two templates differ in kind, the one with the literal is more
    /// specific: `/webhooks/{id}/{token}/messages/@original` before `.../messages/{message_id}`.
    static func isMoreSpecific(_ a: OpenAPIRoute, than b: OpenAPIRoute) -> Bool {
        for (x, y) in zip(a.segments, b.segments) {
            switch (x, y) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return a.template < b.template
    }
}

/// Finds the spec path and operation that a request's method and path segments target.
///
/// A segment fills a parameter only if it is valid for the parameter's schema, so "@me" never
/// passes for a `{user_id}` snowflake and "bulk-delete" never for a `{message_id}`.
struct OpenAPIRouter: Sendable {
    enum Match {
        case found(OpenAPIRoute, operation: JSONValue)
        case problem(String)
    }

    /// Most specific first.
    let routes: [OpenAPIRoute]

    init(paths: JSONObject) {
        routes = paths.compactMap { member in
            member.value.objectValue.map { OpenAPIRoute(template: member.key, item: $0) }
        }.sorted(by: OpenAPIRoute.isMoreSpecific)
    }

    /// `segments` are the path's segments after the API base, still percent-encoded.
    func match(method: String, segments: [String], evaluator: SchemaEvaluator) -> Match {
        let decoded = segments.map { $0.removingPercentEncoding ?? $0 }
        var candidates: [OpenAPIRoute] = []
        var parameterProblems: [String] = []
        for route in routes where route.segments.count == decoded.count {
            switch fit(route, decoded, evaluator) {
            case .none: continue
            case .some(let problems) where problems.isEmpty: candidates.append(route)
            case .some(let problems): parameterProblems.append("\(route.template): " + problems.joined(separator: "; "))
            }
        }
        let shown = "/" + segments.joined(separator: "/")
        if let route = candidates.first(where: { $0.operations[method] != nil }), let operation = route.operations[method] {
            return .found(route, operation: operation)
        }
        if let route = candidates.first {
            return .problem("the spec defines no \(method) for \(route.template) (it defines \(route.definedMethods))")
        }
        if !parameterProblems.isEmpty {
            return .problem("no path in Discord's OpenAPI spec matches \(shown): " + parameterProblems.joined(separator: " | "))
        }
        let nearest = nearMisses(decoded).prefix(3).map(\.template)
        let hint = nearest.isEmpty ? "" : " (the nearest: \(nearest.joined(separator: ", ")))"
        return .problem("no path in Discord's OpenAPI spec matches \(shown)" + hint)
    }

    /// Paths of the same length that differ from `segments` in exactly one literal segment, the
    /// most similar spelling first: the likely intended path of a misspelt one.
    private func nearMisses(_ segments: [String]) -> [OpenAPIRoute] {
        var scored: [(distance: Int, route: OpenAPIRoute)] = []
        for route in routes where route.segments.count == segments.count {
            let differing = zip(route.segments, segments).compactMap { segment, value -> Int? in
                guard case .literal(let literal) = segment, literal != value else { return nil }
                return Self.editDistance(literal, value)
            }
            if differing.count == 1, let distance = differing.first { scored.append((distance, route)) }
        }
        return scored.sorted { $0.distance < $1.distance }.map(\.route)
    }

    /// Levenshtein distance over characters.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// nil when a literal segment differs; otherwise the problems of the parameter values.
    private func fit(_ route: OpenAPIRoute, _ segments: [String], _ evaluator: SchemaEvaluator) -> [String]? {
        var problems: [String] = []
        for (segment, value) in zip(route.segments, segments) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                if value.isEmpty {
                    problems.append("{\(name)} is empty")
                } else if let schema = route.parameterSchemas[name], let problem = Self.problem(value, schema, evaluator) {
                    problems.append("{\(name)} \(JSONKind.literal(.string(value))): \(problem)")
                }
            }
        }
        return problems
    }

    /// A path segment is text; an integer parameter takes the digits as the number they spell.
    private static func problem(_ value: String, _ schema: JSONValue, _ evaluator: SchemaEvaluator) -> String? {
        let asString = evaluator.problems(of: .string(value), against: schema)
        guard !asString.isEmpty else { return nil }
        guard value.first != "+", let integer = Int64(value) else { return asString.first?.message }
        let asInteger = evaluator.problems(of: .number(JSONNumber(integer)), against: schema)
        guard !asInteger.isEmpty else { return nil }
        // Digits meant as a number: the integer's problem is the one that explains.
        return (asInteger.contains { $0.kind == .type } ? asString : asInteger).first?.message
    }
}
