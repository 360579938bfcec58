import BotHost

/// `allOf`, `anyOf` and `oneOf`, and how a failed alternative is explained.
///
/// A bare "matches no alternative" is useless for a 7-way union of message components, so the
/// report names the alternative the sender evidently meant and shows its problems; when no
/// alternative stands out, it lists each one's first problem.
extension SchemaEvaluator {
    func checkCombinators(_ value: JSONValue, _ keywords: JSONObject, _ pointer: String, depth: Int,
                          _ out: inout [SchemaProblem]) {
        for branch in keywords["allOf"]?.arrayValue ?? [] {
            check(value, branch, pointer, depth: depth + 1, &out)
        }
        if let branches = keywords["anyOf"]?.arrayValue {
            let results = branches.map { branch in evaluate(value, branch, pointer, depth: depth + 1) }
            if !results.contains(where: \.isEmpty) {
                out += explainNoMatch("anyOf", branches, results, value, pointer)
            }
        }
        if let branches = keywords["oneOf"]?.arrayValue {
            let results = branches.map { branch in evaluate(value, branch, pointer, depth: depth + 1) }
            let matching = results.indices.filter { results[$0].isEmpty }
            if matching.isEmpty {
                out += explainNoMatch("oneOf", branches, results, value, pointer)
            } else if matching.count > 1 {
                let names = matching.map { name(of: branches[$0], at: $0) }.joined(separator: ", ")
                out.append(SchemaProblem(pointer: pointer,
                                         message: "matches \(matching.count) oneOf alternatives (\(names)); exactly one must match"))
            }
        }
    }

    private func evaluate(_ value: JSONValue, _ schema: JSONValue, _ pointer: String, depth: Int) -> [SchemaProblem] {
        var problems: [SchemaProblem] = []
        check(value, schema, pointer, depth: depth, &problems)
        return problems
    }

    private func explainNoMatch(_ keyword: String, _ branches: [JSONValue], _ results: [[SchemaProblem]],
                                _ value: JSONValue, _ pointer: String) -> [SchemaProblem] {
        // Discord writes enums as a oneOf of titled consts: say which values are allowed.
        let constants = branches.compactMap { branch -> String? in
            guard let constant = branch["const"] else { return nil }
            let title = branch["title"]?.stringValue.map { " (\($0))" } ?? ""
            return JSONKind.literal(constant) + title
        }
        if constants.count == branches.count {
            return [SchemaProblem(pointer: pointer,
                                  message: "\(JSONKind.describe(value)) is not one of the allowed values \(constants.joined(separator: ", "))")]
        }

        // Discord's unions of objects are tagged by a `type` member: an alternative whose tag (or
        // whose own type) does not fit is not the one the sender meant. Of the rest, the one whose
        // problems sit deepest accepted the most of the value.
        let childDepth = JSONKind.depth(of: pointer) + 1
        func isWrongVariant(_ problems: [SchemaProblem]) -> Bool {
            problems.contains { problem in
                (problem.kind == .type && problem.pointer == pointer)
                    || (problem.kind == .value && problem.depth <= childDepth)
            }
        }
        let fitting = results.indices.filter { !isWrongVariant(results[$0]) }
        let deepest = fitting.map { results[$0].map(\.depth).max() ?? 0 }
        if let top = deepest.max(), deepest.filter({ $0 == top }).count == 1, let index = deepest.firstIndex(of: top) {
            let best = fitting[index]
            let header = SchemaProblem(pointer: pointer,
                                       message: "matches no \(keyword) alternative; the closest, \(name(of: branches[best], at: best)), fails because:",
                                       kind: .header)
            return [header] + results[best]
        }
        let reasons = results.indices.prefix(8).map { i -> String in
            let first = results[i].first { $0.kind != .header } ?? results[i].first
            let reason = first.map { ($0.pointer == pointer ? "" : "\($0.pointer): ") + $0.message } ?? "?"
            return "\(name(of: branches[i], at: i)) (\(reason))"
        }
        let more = results.count > 8 ? ", and \(results.count - 8) more" : ""
        return [SchemaProblem(pointer: pointer,
                              message: "\(JSONKind.describe(value)) matches no \(keyword) alternative: " + reasons.joined(separator: "; ") + more)]
    }

    /// A readable name for an alternative: the schema it references, its title, or its type.
    func name(of branch: JSONValue, at index: Int) -> String {
        if let reference = branch["$ref"]?.stringValue {
            return String(reference.split(separator: "/").last ?? Substring(reference))
        }
        if let title = branch["title"]?.stringValue { return title }
        if let types = branch["type"] { return JSONKind.describeTypes(types) }
        return "alternative #\(index + 1)"
    }
}
