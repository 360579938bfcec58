import Foundation
import PluginAPI

extension HostAPI {
    package static func installHTTP(_ table: UnsafeMutablePointer<bothost_host_api>) {
        table.pointee.http_request = apiHTTPRequest
    }
}

private let defaultMaxBody = 16 * 1024 * 1024

/// Copies the plugin's request out of C memory (it is only valid during the call).
private func readRequest(_ raw: UnsafePointer<bothost_http_request>?) throws(HostCallError) -> OutboundHTTPRequest {
    guard let raw else { throw HostCallError(Status.invalidArgument, "http_request needs a request") }
    let declared = Int(UnsafeRawPointer(raw).load(as: UInt32.self))
    guard declared >= MemoryLayout<bothost_http_request>.offset(of: \bothost_http_request.timeout_ms)! + 4 else {
        throw HostCallError(Status.invalidArgument, "bothost_http_request.struct_size \(declared) is too small; set it to sizeof(bothost_http_request)")
    }
    var request = bothost_http_request()
    withUnsafeMutableBytes(of: &request) { target in
        target.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: min(declared, target.count)))
    }
    let url = try request.url.string("url")
    guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
          parsed.host != nil else {
        throw HostCallError(Status.invalidArgument, "\"\(url)\" is not an absolute http:// or https:// URL")
    }
    var headers: [(String, String)] = []
    if request.header_count > 0 {
        guard let list = request.headers, request.header_count <= 256 else {
            throw HostCallError(Status.invalidArgument, "headers is NULL or has more than 256 entries")
        }
        for index in 0..<request.header_count {
            let name = try list[index].name.string("header name")
            let value = try list[index].value.string("header value")
            guard !name.isEmpty, !name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }),
                  !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw HostCallError(Status.invalidArgument, "header \"\(name)\" has a forbidden character")
            }
            headers.append((name, value))
        }
    }
    return OutboundHTTPRequest(method: try request.method.string("method"), url: url, headers: headers,
                               body: request.body.array, timeoutMs: request.timeout_ms,
                               maxBodyBytes: request.max_body_bytes == 0 ? defaultMaxBody : Int(request.max_body_bytes))
}

private func apiHTTPRequest(_ plugin: OpaquePointer?, _ raw: UnsafePointer<bothost_http_request>?, _ fn: bothost_http_fn?,
                            _ userData: UnsafeMutableRawPointer?, _ free: bothost_free_fn?,
                            _ out: UnsafeMutablePointer<bothost_handle>?) -> bothost_status {
    hostRegister(plugin, .http, userData, free, out) { instance, registration throws(HostCallError) in
        guard let fn else { throw HostCallError(Status.invalidArgument, "http_request needs a callback") }
        let request = try readRequest(raw)
        let handle = registration.handle
        let box = UnsafeSendable(registration.userData)
        let task = Task {
            let result = await instance.runtime.http.perform(request)
            guard let taken = instance.take(handle) else { return }
            instance.complete(taken) { deliverHTTP(result, fn: fn, userData: taken.userData, handle: handle) }
        }
        registration.teardown = { why in
            task.cancel()
            if case .unregistered = why {
                instance.executor.submit {
                    guard instance.acceptsCallbacks else { return }
                    deliverHTTP(OutboundHTTPResult(failure: .cancelled, error: "cancelled by the plugin"),
                                fn: fn, userData: box.value, handle: handle)
                }
            }
        }
    }
}

/// Builds the C response (all memory valid for the duration of the callback) and calls the plugin.
private func deliverHTTP(_ result: OutboundHTTPResult, fn: bothost_http_fn, userData: UnsafeMutableRawPointer?, handle: UInt64) {
    let status: bothost_status = switch result.failure {
    case nil: Status.ok
    case .timeout: Status.timeout
    case .cancelled: Status.cancelled
    case .tooLarge: Status.tooLarge
    case .transport: Status.io
    }
    let strings = CStringArena(result.headers.flatMap { [$0.0, $0.1] } + [result.error])
    defer { strings.release() }
    var headers = (0..<result.headers.count).map { bothost_header(name: strings[2 * $0], value: strings[2 * $0 + 1]) }
    headers.withUnsafeMutableBufferPointer { headerList in
        result.body.withUnsafeBufferPointer { body in
            var response = bothost_http_response()
            response.struct_size = UInt32(MemoryLayout<bothost_http_response>.size)
            response.status = status
            response.http_status = result.httpStatus
            response.headers = UnsafePointer(headerList.baseAddress)
            response.header_count = headerList.count
            response.body = bothost_bytes(ptr: body.baseAddress, len: body.count)
            response.error = strings[result.headers.count * 2]
            fn(userData, handle, &response)
        }
    }
}

/// Several strings laid out in one allocation, viewable as bothost_str until released.
package struct CStringArena {
    private let base: UnsafeMutablePointer<CChar>
    private let slices: [bothost_str]

    package init(_ strings: [String]) {
        let total = strings.reduce(0) { $0 + $1.utf8.count }
        let base = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        self.base = base
        var offset = 0
        var slices: [bothost_str] = []
        for text in strings {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { chars in
                    if let start = chars.baseAddress { (base + offset).update(from: start, count: chars.count) }
                }
            }
            slices.append(bothost_str(ptr: base + offset, len: bytes.count))
            offset += bytes.count
        }
        self.slices = slices
    }

    package subscript(index: Int) -> bothost_str { slices[index] }
    package func release() { base.deallocate() }
}
