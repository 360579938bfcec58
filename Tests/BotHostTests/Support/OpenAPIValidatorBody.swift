import BotHost
import Foundation

/// Checks a request body and its Content-Type against the operation's `requestBody`.
struct RequestBodyChecker: Sendable {
    let evaluator: SchemaEvaluator

    func problems(operation: JSONValue, body: [UInt8], contentType: String?) -> [String] {
        guard let requestBody = operation["requestBody"].map(evaluator.dereferenced) else {
            return body.isEmpty ? [] : ["the operation takes no request body, but \(body.count) bytes were sent"]
        }
        let content = requestBody["content"]?.objectValue ?? JSONObject()
        let accepted = content.keys.joined(separator: ", ")
        guard !body.isEmpty else {
            let required = requestBody["required"]?.boolValue == true
            return required ? ["the operation requires a request body (\(accepted)), but none was sent"] : []
        }
        guard let contentType, let media = Self.mediaType(contentType) else {
            return ["a body of \(body.count) bytes was sent without a Content-Type; the operation takes \(accepted)"]
        }
        guard let entry = content[media] else {
            return ["Content-Type \(media) is not accepted here; the operation takes \(accepted)"]
        }
        switch media {
        case "application/json":
            return jsonProblems(body[...], schema: entry["schema"], label: "body")
        case "multipart/form-data":
            return multipartProblems(body, contentType: contentType,
                                     jsonSchema: content["application/json"]?["schema"], formSchema: entry["schema"])
        default:
            return []  // form-urlencoded: the spec lists it, but its fields are not JSON to check
        }
    }

    /// "application/json" from "Application/JSON; charset=utf-8".
    static func mediaType(_ contentType: String) -> String? {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        return media?.isEmpty == false ? media : nil
    }

    private func jsonProblems(_ bytes: ArraySlice<UInt8>, schema: JSONValue?, label: String) -> [String] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(Array(bytes))
        } catch {
            return ["\(label) is not valid JSON: \(error)"]
        }
        guard let schema else { return [] }
        return evaluator.problems(of: value, against: schema).map { problem in
            (problem.pointer.isEmpty ? label : "\(label) \(problem.pointer)") + ": " + problem.message
        }
    }

    /// Discord reads the JSON of a multipart request from its `payload_json` part; the other
    /// parts are files, named `files[n]`, or fields the operation's form schema declares.
    private func multipartProblems(_ body: [UInt8], contentType: String, jsonSchema: JSONValue?,
                                   formSchema: JSONValue?) -> [String] {
        let form: MultipartForm
        do {
            form = try MultipartForm(body, contentType: contentType)
        } catch {
            return ["multipart body: \(error.message)"]
        }
        let declared = formSchema.map { propertyNames(of: $0, depth: 0) } ?? []
        var problems: [String] = []
        for (index, part) in form.parts.enumerated() {
            guard let name = part.name else {
                problems.append("multipart part \(index) has no Content-Disposition name")
                continue
            }
            if name == "payload_json" {
                problems += jsonProblems(part.body, schema: jsonSchema ?? formSchema, label: "payload_json")
            } else if !declared.contains(name) && !Self.isFileField(name) {
                problems.append("multipart part \"\(name)\" is neither payload_json, a files[n] part, nor a field of this operation")
            }
        }
        return problems
    }

    private static func isFileField(_ name: String) -> Bool {
        name.hasPrefix("files[") && name.hasSuffix("]") && name.dropFirst(6).dropLast().allSatisfy(\.isASCIIDigitCharacter)
            && name.count > 7
    }

    /// The property names a schema declares, through `$ref` and the combinators.
    private func propertyNames(of schema: JSONValue, depth: Int) -> Set<String> {
        let resolved = evaluator.dereferenced(schema)
        var names = Set(resolved["properties"]?.objectValue?.keys ?? [])
        guard depth < 20 else { return names }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for branch in resolved[keyword]?.arrayValue ?? [] { names.formUnion(propertyNames(of: branch, depth: depth + 1)) }
        }
        return names
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isWholeNumber }
}
