import Foundation
@testable import MLS
import Testing

/// Reading the working group's JSON vectors (Tests/MLSTests/Vectors, see the README there).
enum Vectors {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    /// The entries of one vector file, each a JSON object.
    static func load(_ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).json"))
        guard let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw VectorError.malformed("\(name).json is not a list of objects")
        }
        return entries
    }

    /// Prints how many entries of a file passed, and which were set aside and why.
    static func report(_ name: String, passed: Int, total: Int, outOfScope: [(Int, String)] = []) {
        print("MLS vectors \(name): \(passed)/\(total) passed")
        for (index, reason) in outOfScope { print("MLS vectors \(name): entry \(index) out of scope: \(reason)") }
    }
}

enum VectorError: Error {
    case malformed(String)
}

extension Dictionary where Key == String, Value == Any {
    func bytes(_ key: String) throws -> [UInt8] {
        guard let text = self[key] as? String, let bytes = hexBytes(text) else { throw VectorError.malformed("field \(key)") }
        return bytes
    }

    func int(_ key: String) throws -> Int {
        guard let number = self[key] as? NSNumber else { throw VectorError.malformed("field \(key)") }
        return number.intValue
    }

    func uint64(_ key: String) throws -> UInt64 {
        guard let number = self[key] as? NSNumber else { throw VectorError.malformed("field \(key)") }
        return number.uint64Value
    }

    func string(_ key: String) throws -> String {
        guard let text = self[key] as? String else { throw VectorError.malformed("field \(key)") }
        return text
    }

    func object(_ key: String) throws -> [String: Any] {
        guard let object = self[key] as? [String: Any] else { throw VectorError.malformed("field \(key)") }
        return object
    }

    func objects(_ key: String) throws -> [[String: Any]] {
        guard let objects = self[key] as? [[String: Any]] else { throw VectorError.malformed("field \(key)") }
        return objects
    }
}

func hexBytes(_ text: String) -> [UInt8]? {
    let characters = Array(text.utf8)
    guard characters.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(characters.count / 2)
    var index = 0
    while index < characters.count {
        guard let high = hexValue(characters[index]), let low = hexValue(characters[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
        index += 2
    }
    return bytes
}

private func hexValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
    default: return nil
    }
}

let suite2 = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256
