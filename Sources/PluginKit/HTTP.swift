/// Outbound HTTP through the host (its client, its limits; the plugin never opens sockets).
public struct HTTP: Sendable {
    let host: PluginHost

    /// Sends `request` and waits for the response. Cancelling the Task cancels the call.
    /// Throws `PluginError` (`.timeout`, `.io`, `.tooLarge`, `.cancelled`, …) when no response arrived.
    nonisolated(nonsending) public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let httpRequest = try host.table.require(\.http_request, "http_request")
        let host = self.host
        return try await PendingCall<HTTPResponse>.run(host: host) { call in
            try host.register(PendingBox(host: host, call: call), "\(request.method) \(request.url)") { userData, handle in
                withCRequest(request) { httpRequest(host.plugin, $0, responseArrived, userData, releaseCallbackBox, handle) }
            }.handle
        }
    }
}

/// Lends `request` to the host as a `bothost_http_request` for the duration of `body`: every string
/// goes into one byte arena, so a single pointer stays valid for all of them.
private func withCRequest<R>(_ request: HTTPRequest, _ body: (UnsafePointer<bothost_http_request>) -> R) -> R {
    var arena: [UInt8] = []
    func add(_ string: String) -> Range<Int> {
        let start = arena.count
        arena.append(contentsOf: string.utf8)
        return start..<arena.count
    }
    let method = add(request.method), url = add(request.url)
    let headerRanges = request.headers.map { (add($0.name), add($0.value)) }
    let timeoutMs = request.timeout.map { UInt32(max(1, milliseconds($0, limit: UInt64(UInt32.max)))) } ?? 0
    let maxBody = request.maxBodyBytes.map { UInt32(clamping: max(1, $0)) } ?? 0

    return arena.withUnsafeBufferPointer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
            func slice(_ range: Range<Int>) -> bothost_str {
                bothost_str(ptr: chars.baseAddress.map { $0 + range.lowerBound }, len: range.count)
            }
            let headers = headerRanges.map { bothost_header(name: slice($0.0), value: slice($0.1)) }
            return headers.withUnsafeBufferPointer { headerBuffer in
                withBytes(request.body) { payload in
                    var cRequest = bothost_http_request()
                    cRequest.struct_size = UInt32(MemoryLayout<bothost_http_request>.size)
                    cRequest.method = slice(method)
                    cRequest.url = slice(url)
                    cRequest.headers = headerBuffer.baseAddress
                    cRequest.header_count = headerBuffer.count
                    cRequest.body = payload
                    cRequest.timeout_ms = timeoutMs
                    cRequest.max_body_bytes = maxBody
                    return withUnsafePointer(to: &cRequest) { body($0) }
                }
            }
        }
    }
}

private func responseArrived(_ userData: UnsafeMutableRawPointer?, _ request: bothost_handle,
                             _ pointer: UnsafePointer<bothost_http_response>?) {
    guard let box = PendingBox<HTTPResponse>.from(userData) else { return }
    let result = copyResponse(pointer)
    box.host.enter { box.call.finish(result) }
}

/// Copies the host's response (valid only during the callback) into Swift values.
private func copyResponse(_ pointer: UnsafePointer<bothost_http_response>?) -> Result<HTTPResponse, any Error> {
    guard let pointer else { return .failure(PluginError(.internalError, "the host sent no HTTP response")) }
    var raw = bothost_http_response()
    let count = min(Int(pointer.pointee.struct_size), MemoryLayout<bothost_http_response>.size)
    withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count)) }
    guard raw.status == StatusCode.ok.rawValue else {
        let code = StatusCode(rawValue: raw.status)
        let error = String(raw.error)
        return .failure(PluginError(code, error.isEmpty ? "HTTP request failed with \(code)" : error))
    }
    var headers: [HTTPHeader] = []
    if let list = raw.headers, raw.header_count > 0 {
        headers = UnsafeBufferPointer(start: list, count: raw.header_count).map { HTTPHeader(String($0.name), String($0.value)) }
    }
    return .success(HTTPResponse(status: Int(raw.http_status), headers: headers, body: Array(raw.body)))
}
