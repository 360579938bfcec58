/// One HTTP request to the REST API, fully read.
struct RESTRequest: Sendable {
    var method: String
    /// The request target as sent (path and query).
    var target: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") }

    var query: [String: String] {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return [:] }
        var result: [String: String] = [:]
        for pair in parts[1].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentDecoding.decode(String(kv[0]))
            result[key] = kv.count > 1 ? PercentDecoding.decode(String(kv[1])) : ""
        }
        return result
    }

    /// A boolean query parameter, nil when absent. Discord reads `True`, `true` and `1` as true,
    /// `False`, `false` and `0` as false (clients differ: discord.py sends `1`).
    func booleanQuery(_ name: String) throws(RESTResponse) -> Bool? {
        guard let value = query[name] else { return nil }
        switch value {
        case "True", "true", "1": return true
        case "False", "false", "0": return false
        default:
            var errors = FormErrors()
            errors.add([name], "BASE_TYPE_BOOLEAN", "Must be either true or false.")
            throw errors.response
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The JSON body; multipart bodies carry it in their `payload_json` part. Unparseable JSON
    /// is answered as Discord does, with 50109.
    func jsonBody() throws(RESTResponse) -> WireJSON {
        var bytes = body
        if let contentType = header("Content-Type"), contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let payload = MultipartForm.part(named: "payload_json", in: body, contentType: contentType) else {
                throw DiscordErrors.invalidFormBody(["_errors": .array([FormErrors.entry("BASE_TYPE_REQUIRED", "This field is required")])])
            }
            bytes = payload
        }
        guard !bytes.isEmpty else { return .object([]) }
        do {
            return try WireJSONParser.parse(bytes)
        } catch {
            throw DiscordErrors.invalidJSON
        }
    }

    /// The body as a JSON object, or 50035 when it is some other JSON value.
    func jsonObjectBody() throws(RESTResponse) -> WireJSON {
        let value = try jsonBody()
        guard value.objectMembers != nil else {
            throw DiscordErrors.invalidFormBody(["_errors": .array([FormErrors.entry("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")])])
        }
        return value
    }
}

enum PercentDecoding {
    static func decode(_ text: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%"), bytes.count >= 2,
               let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(value)
                bytes = bytes.dropFirst(2)
            } else if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Just enough multipart/form-data to find the `payload_json` part of a message with files.
enum MultipartForm {
    static func part(named name: String, in body: [UInt8], contentType: String) -> [UInt8]? {
        guard let boundaryRange = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[boundaryRange.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimming("\"")
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n\r\n".utf8)
        for part in split(body, by: delimiter) {
            guard let headerEnd = find(separator, in: part, from: 0) else { continue }
            let headers = String(decoding: part[..<headerEnd], as: UTF8.self)
            guard headers.contains("name=\"\(name)\"") else { continue }
            var content = Array(part[(headerEnd + separator.count)...])
            if content.suffix(2) == [13, 10] { content.removeLast(2) }
            return content
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], Array(haystack[i..<i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }

    private static func split(_ body: [UInt8], by delimiter: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        while let index = find(delimiter, in: body, from: start) {
            if index > start { parts.append(Array(body[start..<index])) }
            start = index + delimiter.count
        }
        return parts
    }
}

private extension String {
    func trimming(_ character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
