import PluginAPI

/// The json_* slots (ABI minor 4): JSON Pointer reads for plugins that have no JSON reader of
/// their own. They take no plugin handle and touch no host state, so they work from any thread at
/// any time; a failure still sets `last_error` (per thread) like every host call.
extension HostAPI {
    package static func installJSON(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.json_get_string = apiJSONGetString
        table.pointee.json_get_int64 = apiJSONGetInt64
        table.pointee.json_get_double = apiJSONGetDouble
        table.pointee.json_get_bool = apiJSONGetBool
        table.pointee.json_get_raw = apiJSONGetRaw
        table.pointee.json_array_length = apiJSONArrayLength
    }
}

/// Runs one json_* call and turns its outcome into a status (and `last_error`).
private func jsonCall(_ body: () throws(HostCallError) -> Void) -> bothost_status {
    do {
        try body()
        return Status.ok
    } catch {
        LastError.set(error.detail)
        return error.status
    }
}

/// A lookup with its failure mapped onto the ABI's statuses.
private func lookup<T>(_ read: () throws(JSONPointerLookup.Failure) -> T) throws(HostCallError) -> T {
    do {
        return try read()
    } catch {
        switch error {
        case .malformedJSON(let detail): throw HostCallError(Status.invalidArgument, detail)
        case .badPointer(let detail): throw HostCallError(Status.badPointer, detail)
        case .notFound(let detail): throw HostCallError(Status.notFound, detail)
        case .wrongType(let detail): throw HostCallError(Status.wrongType, detail)
        }
    }
}

private func required<T>(_ out: UnsafeMutablePointer<T>?, _ call: String) throws(HostCallError) -> UnsafeMutablePointer<T> {
    guard let out else { throw HostCallError(Status.invalidArgument, "\(call) needs somewhere to write the value (out is NULL)") }
    return out
}

private func apiJSONGetString(_ json: bothost_str, _ pointer: bothost_str, _ out: UnsafeMutablePointer<CChar>?,
                              _ outSize: Int, _ outLength: UnsafeMutablePointer<Int>?) -> bothost_status {
    jsonCall { () throws(HostCallError) in
        if out == nil && outSize > 0 {
            throw HostCallError(Status.invalidArgument, "json_get_string: out is NULL but out_size is \(outSize)")
        }
        let value = try lookup { () throws(JSONPointerLookup.Failure) in try JSONPointerLookup.string(at: pointer.bytes, in: json.bytes) }
        outLength?.pointee = value.count
        // As much as fits, always NUL-terminated, so a caller that ignores the status still has a C string.
        let copied = min(value.count, max(outSize - 1, 0))
        if let out, outSize > 0 {
            value.withUnsafeBytes { source in
                if let base = source.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: copied) }
            }
            out[copied] = 0
        }
        guard copied == value.count, outSize > 0 else {
            throw HostCallError(Status.tooLarge, "json_get_string: the string is \(value.count) bytes; out needs \(value.count + 1) with the NUL, got \(outSize)")
        }
    }
}

private func apiJSONGetInt64(_ json: bothost_str, _ pointer: bothost_str, _ out: UnsafeMutablePointer<Int64>?) -> bothost_status {
    jsonCall { () throws(HostCallError) in
        let out = try required(out, "json_get_int64")
        out.pointee = try lookup { () throws(JSONPointerLookup.Failure) in try JSONPointerLookup.int64(at: pointer.bytes, in: json.bytes) }
    }
}

private func apiJSONGetDouble(_ json: bothost_str, _ pointer: bothost_str, _ out: UnsafeMutablePointer<Double>?) -> bothost_status {
    jsonCall { () throws(HostCallError) in
        let out = try required(out, "json_get_double")
        out.pointee = try lookup { () throws(JSONPointerLookup.Failure) in try JSONPointerLookup.double(at: pointer.bytes, in: json.bytes) }
    }
}

private func apiJSONGetBool(_ json: bothost_str, _ pointer: bothost_str, _ out: UnsafeMutablePointer<Int32>?) -> bothost_status {
    jsonCall { () throws(HostCallError) in
        let out = try required(out, "json_get_bool")
        out.pointee = try lookup { () throws(JSONPointerLookup.Failure) in try JSONPointerLookup.bool(at: pointer.bytes, in: json.bytes) } ? 1 : 0
    }
}

private func apiJSONGetRaw(_ json: bothost_str, _ pointer: bothost_str, _ out: UnsafeMutablePointer<bothost_str>?) -> bothost_status {
    jsonCall { () throws(HostCallError) in
        let out = try required(out, "json_get_raw")
        let range = try lookup { () throws(JSONPointerLookup.Failure) in try JSONPointerLookup.locate(pointer.bytes, in: json.bytes) }
        // A slice of the caller's own bytes: nothing to allocate or free.
        out.pointee = bothost_str(ptr: json.ptr.map { $0 + range.lowerBound }, len: range.count)
    }
}

private func apiJSONArrayLength(_ json: bothost_str, _ pointer: bothost_str, _ out: UnsafeMutablePointer<Int>?) -> bothost_status {
    jsonCall { () throws(HostCallError) in
        let out = try required(out, "json_array_length")
        out.pointee = try lookup { () throws(JSONPointerLookup.Failure) in try JSONPointerLookup.arrayLength(at: pointer.bytes, in: json.bytes) }
    }
}
