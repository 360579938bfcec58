import BotHostCore

/// What the json_* host calls (ABI minor 4) read: the value an RFC 6901 JSON Pointer names in a
/// document. The document is checked whole with `JSONScanner`, then the pointer is followed over
/// its bytes, skipping what it does not name; nothing is built, so a value is found where it lies
/// (`json_get_raw` hands out exactly those bytes). Pure functions: no state, any thread.
package enum JSONPointerLookup {
    /// Why a lookup failed; each case is one status of the ABI, its text the `last_error` detail.
    package enum Failure: Error, Equatable {
        /// The document is not JSON (BOTHOST_E_INVALID_ARGUMENT).
        case malformedJSON(String)
        /// The pointer is not RFC 6901 (BOTHOST_E_BAD_POINTER).
        case badPointer(String)
        /// Nothing at the pointer (BOTHOST_E_NOT_FOUND).
        case notFound(String)
        /// A value of another type at the pointer (BOTHOST_E_WRONG_TYPE).
        case wrongType(String)
    }

    /// One reference token: its bytes with ~1 and ~0 decoded, and as written (for messages).
    package struct Token: Equatable {
        package let name: [UInt8]
        package let spelled: String
    }

    /// The tokens of a pointer: none for "" (the whole document), else one per "/".
    package static func tokens(of pointer: [UInt8]) throws(Failure) -> [Token] {
        guard !pointer.isEmpty else { return [] }
        guard let text = String(validating: pointer, as: UTF8.self) else {
            throw .badPointer("the JSON Pointer is not valid UTF-8")
        }
        guard pointer.first == UInt8(ascii: "/") else {
            throw .badPointer("the JSON Pointer \(quoted(text)) must be empty (the whole document) or start with '/'")
        }
        var tokens: [Token] = []
        for spelled in pointer.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            var name: [UInt8] = []
            var index = spelled.startIndex
            while index < spelled.endIndex {
                let byte = spelled[index]
                guard byte == UInt8(ascii: "~") else {
                    name.append(byte)
                    index += 1
                    continue
                }
                let next = index + 1 < spelled.endIndex ? spelled[index + 1] : nil
                switch next {
                case UInt8(ascii: "0"): name.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): name.append(UInt8(ascii: "/"))
                default:
                    throw .badPointer("in the JSON Pointer \(quoted(text)), '~' must be followed by 0 (for '~') or 1 (for '/')")
                }
                index += 2
            }
            tokens.append(Token(name: name, spelled: String(decoding: spelled, as: UTF8.self)))
        }
        return tokens
    }

    /// The byte range of the value `pointer` names in `document`.
    package static func locate(_ pointer: [UInt8], in document: [UInt8]) throws(Failure) -> Range<Int> {
        let tokens = try tokens(of: pointer)
        var range = try wholeValue(of: document)
        var path = ""
        for token in tokens {
            let parent = path.isEmpty ? "the document" : quoted(path)
            path += "/" + token.spelled
            var scanner = JSONScanner(document[range])
            var found: Range<Int>?
            do {
                switch document[range.lowerBound] {
                case UInt8(ascii: "{"):
                    try scanner.scanObject { (key, member) throws(JSONScanError) in
                        let value = try member.skipValue()
                        // Names compare as bytes (RFC 6901), not as canonically equivalent text.
                        if key.utf8.elementsEqual(token.name) { found = value }
                    }
                    guard let found else { throw Failure.notFound("\(parent) has no member \(quoted(String(decoding: token.name, as: UTF8.self)))") }
                case UInt8(ascii: "["):
                    guard let wanted = arrayIndex(token.name) else {
                        throw Failure.notFound("\(parent) is an array; \(quoted(token.spelled)) is not an index (0, 1, 2 …)")
                    }
                    var count = 0
                    try scanner.scanArray { (index, element) throws(JSONScanError) in
                        let value = try element.skipValue()
                        if index == wanted { found = value }
                        count = index + 1
                    }
                    guard let found else {
                        throw Failure.notFound("\(parent) has \(count) element\(count == 1 ? "" : "s"); there is no [\(wanted)]")
                    }
                default:
                    throw Failure.notFound("\(parent) is \(describe(range, in: document)), which has no member \(quoted(token.spelled))")
                }
            } catch let failure as Failure {
                throw failure
            } catch {
                throw .malformedJSON("the JSON is malformed: \(error)")
            }
            range = found ?? range
        }
        return range
    }

    // MARK: typed reads

    /// The string at the pointer, escapes decoded, as UTF-8.
    package static func string(at pointer: [UInt8], in document: [UInt8]) throws(Failure) -> [UInt8] {
        let range = try locate(pointer, in: document)
        guard document[range.lowerBound] == UInt8(ascii: "\"") else { throw mismatch(pointer, range, document, "a string") }
        var scanner = JSONScanner(document[range])
        do {
            return Array(try scanner.readString().utf8)
        } catch {
            throw .malformedJSON("the JSON is malformed: \(error)")
        }
    }

    /// The integer at the pointer: written without fraction or exponent, and within Int64.
    package static func int64(at pointer: [UInt8], in document: [UInt8]) throws(Failure) -> Int64 {
        let range = try locate(pointer, in: document)
        var scanner = JSONScanner(document[range])
        guard isNumber(document[range.lowerBound]), let value = try? scanner.readInteger() else {
            throw mismatch(pointer, range, document, "a whole number from -2^63 to 2^63-1 (no fraction or exponent)")
        }
        return Int64(value)
    }

    /// The number at the pointer, as the nearest double.
    package static func double(at pointer: [UInt8], in document: [UInt8]) throws(Failure) -> Double {
        let range = try locate(pointer, in: document)
        var scanner = JSONScanner(document[range])
        guard isNumber(document[range.lowerBound]), let value = try? scanner.readNumber(), value.isFinite else {
            throw mismatch(pointer, range, document, "a number within the range of a double")
        }
        return value
    }

    package static func bool(at pointer: [UInt8], in document: [UInt8]) throws(Failure) -> Bool {
        let range = try locate(pointer, in: document)
        switch document[range.lowerBound] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw mismatch(pointer, range, document, "true or false")
        }
    }

    package static func arrayLength(at pointer: [UInt8], in document: [UInt8]) throws(Failure) -> Int {
        let range = try locate(pointer, in: document)
        guard document[range.lowerBound] == UInt8(ascii: "[") else { throw mismatch(pointer, range, document, "an array") }
        var scanner = JSONScanner(document[range])
        var count = 0
        do {
            try scanner.scanArray { (index, element) throws(JSONScanError) in
                try element.skipValue()
                count = index + 1
            }
        } catch {
            throw .malformedJSON("the JSON is malformed: \(error)")
        }
        return count
    }

    // MARK: helpers

    /// The range of the document's one value, after checking the whole document: UTF-8, one value,
    /// nothing but whitespace after it.
    private static func wholeValue(of document: [UInt8]) throws(Failure) -> Range<Int> {
        guard String(validating: document, as: UTF8.self) != nil else {
            throw .malformedJSON("the JSON is not valid UTF-8")
        }
        var scanner = JSONScanner(document)
        do {
            let range = try scanner.skipValue()
            try scanner.expectEnd()
            return range
        } catch {
            throw .malformedJSON(document.isEmpty ? "the JSON is empty" : "the JSON is malformed: \(error)")
        }
    }

    /// An RFC 6901 array index: "0", or digits without a leading zero.
    private static func arrayIndex(_ token: [UInt8]) -> Int? {
        guard let first = token.first, token.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              first != UInt8(ascii: "0") || token.count == 1 else { return nil }
        return Int(String(decoding: token, as: UTF8.self))
    }

    private static func isNumber(_ first: UInt8) -> Bool {
        first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
    }

    private static func mismatch(_ pointer: [UInt8], _ range: Range<Int>, _ document: [UInt8], _ wanted: String) -> Failure {
        let place = pointer.isEmpty ? "the document" : quoted(String(decoding: pointer, as: UTF8.self))
        return .wrongType("\(place) is \(describe(range, in: document)), not \(wanted)")
    }

    /// What a value is, for messages: "an object", "the number 1.5", "a string", "null".
    private static func describe(_ range: Range<Int>, in document: [UInt8]) -> String {
        switch document[range.lowerBound] {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return String(decoding: document[range], as: UTF8.self)
        default:
            let text = String(decoding: document[range].prefix(40), as: UTF8.self)
            return "the number \(text)\(range.count > 40 ? "…" : "")"
        }
    }

    private static func quoted(_ text: String) -> String {
        text.count > 60 ? "\"\(text.prefix(60))…\"" : "\"\(text)\""
    }
}
