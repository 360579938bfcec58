import Foundation

/// The parts of a multipart/form-data body (RFC 7578): enough to find the `payload_json` part in
/// which Discord takes a request's JSON when files travel with it.
struct MultipartForm {
    struct Part {
        /// The `name` of its Content-Disposition, e.g. "payload_json" or "files[0]".
        var name: String?
        var body: ArraySlice<UInt8>
    }

    struct Problem: Error {
        let message: String
    }

    let parts: [Part]

    init(_ body: [UInt8], contentType: String) throws(Problem) {
        guard let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty else {
            throw Problem(message: "the multipart Content-Type names no boundary")
        }
        let crlf: [UInt8] = [13, 10]
        let delimiter = Array("--\(boundary)".utf8)
        guard var cursor = body.firstRange(of: delimiter)?.upperBound else {
            throw Problem(message: "the body never contains its boundary line --\(boundary)")
        }
        var parts: [Part] = []
        while !body[cursor...].starts(with: Array("--".utf8)) {
            guard body[cursor...].starts(with: crlf) else {
                throw Problem(message: "a boundary line is not followed by CRLF (after part \(parts.count))")
            }
            cursor += 2
            guard let end = body[cursor...].firstRange(of: crlf + delimiter) else {
                throw Problem(message: "part \(parts.count) is not closed by a boundary line")
            }
            parts.append(Self.part(body[cursor..<end.lowerBound]))
            cursor = end.upperBound
        }
        self.parts = parts
    }

    /// Headers, a blank line, then the content; only Content-Disposition matters here.
    private static func part(_ bytes: ArraySlice<UInt8>) -> Part {
        let blankLine: [UInt8] = [13, 10, 13, 10]
        let split: Range<Int>? = bytes.starts(with: [13, 10]) ? bytes.startIndex..<(bytes.startIndex + 2) : bytes.firstRange(of: blankLine)
        guard let split else { return Part(name: nil, body: bytes) }
        let headers = String(decoding: bytes[bytes.startIndex..<split.lowerBound], as: UTF8.self)
        let disposition = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") }
        return Part(name: disposition.flatMap { parameter("name", in: String($0)) }, body: bytes[split.upperBound...])
    }

    /// A `key=value` or `key="value"` parameter of a header value, the key matched case-insensitively.
    static func parameter(_ key: String, in header: String) -> String? {
        for field in header.split(separator: ";").dropFirst() {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            return value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
        }
        return nil
    }
}
