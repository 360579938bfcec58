@testable import PluginHost
import PluginAPI
import Testing

/// The table an isolated plugin gets starts as a copy of the host's (sizes, versions, the pure
/// json_* readers). Every other slot must be the child's own: a host slot called in the child
/// would take the child's plugin pointer for a host object.
@Suite struct IsolatedChildTableTests {
    @Test func everySlotButThePureJSONReadersIsTheChildsOwn() {
        let host = HostAPI.table.pointee, child = IsolatedChildAPI.table.pointee
        let first = MemoryLayout<bothost_host_api>.offset(of: \bothost_host_api.last_error)!
        let size = Int(host.struct_size)
        #expect(Int(child.struct_size) == size && child.abi_minor == host.abi_minor)
        let json: Set<Int> = [\bothost_host_api.json_get_string, \bothost_host_api.json_get_int64, \bothost_host_api.json_get_double,
                              \bothost_host_api.json_get_bool, \bothost_host_api.json_get_raw, \bothost_host_api.json_array_length]
            .map { MemoryLayout<bothost_host_api>.offset(of: $0)! }.reduce(into: []) { $0.insert($1) }
        withUnsafeBytes(of: host) { hostBytes in
            withUnsafeBytes(of: child) { childBytes in
                for offset in stride(from: first, to: size, by: MemoryLayout<UnsafeRawPointer>.size) {
                    let a = hostBytes.load(fromByteOffset: offset, as: UInt.self), b = childBytes.load(fromByteOffset: offset, as: UInt.self)
                    #expect(b != 0, "the slot at offset \(offset) is empty in the child's table")
                    if json.contains(offset) {
                        #expect(a == b, "the json_* reader at offset \(offset) should be the host's")
                    } else {
                        #expect(a != b, "the slot at offset \(offset) is the host's own in the child's table")
                    }
                }
            }
        }
    }
}
