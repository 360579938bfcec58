import Foundation
import MLS

/// Shared decoding steps of the binary messages: a whole payload must be read, and every
/// failure, whether the MLS codec's or ours, surfaces as `DAVEError.malformedMessage`.
enum WireDecoding {
    static func decode<T>(_ payload: [UInt8], opcode: DAVEOpcode, _ read: (inout TLSReader) throws -> T) throws -> T {
        var reader = TLSReader(payload)
        do {
            let value = try read(&reader)
            try reader.requireEnd()
            return value
        } catch let error as DAVEError {
            throw error
        } catch {
            throw DAVEError.malformedMessage("op \(opcode.rawValue): \(error)")
        }
    }
}

/// The flat `d` objects of DAVE's JSON opcodes: unsigned integer fields read by name (other
/// fields ignored), and written in a fixed order.
struct JSONFields {
    private let object: [String: Any]

    init(_ data: [UInt8]) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any] else {
            throw DAVEError.malformedMessage("JSON payload is not an object")
        }
        self.object = object
    }

    func uint64(_ name: String) throws -> UInt64 {
        // NSNumber bridges to Int only when the value is exactly an integer: 1.5 and "1" are refused.
        if let value = object[name] as? Int, value >= 0 { return UInt64(value) }
        if let value = object[name] as? UInt64 { return value }
        throw DAVEError.malformedMessage("JSON field \(name) is not an unsigned integer")
    }

    func uint16(_ name: String) throws -> UInt16 {
        guard let value = UInt16(exactly: try uint64(name)) else { throw DAVEError.malformedMessage("JSON field \(name) out of range") }
        return value
    }

    static func encode(_ fields: [(String, UInt64)]) -> [UInt8] {
        Array(("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}").utf8)
    }
}
