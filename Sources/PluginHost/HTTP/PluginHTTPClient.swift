import BotHostCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An outbound HTTP request as a plugin described it (copied out of C memory).
package struct OutboundHTTPRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(String, String)]
    package var body: [UInt8]
    package var timeoutMs: UInt32
    package var maxBodyBytes: Int
}

/// What came back: an HTTP response, or why none did.
package struct OutboundHTTPResult: Sendable {
    package enum Failure: Sendable { case timeout, cancelled, tooLarge, transport }
    package var httpStatus: UInt32 = 0
    package var headers: [(String, String)] = []
    package var body: [UInt8] = []
    package var failure: Failure? = nil
    package var error: String = ""
}

/// Plugins' outbound HTTP, on one shared async-http-client. The Discord token is never added here:
/// this client is for third-party APIs only.
package final class PluginHTTPClient: Sendable {
    private let client: HTTPClient

    package init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.timeout.connect = .seconds(10)
        configuration.decompression = .enabled(limit: .ratio(100))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    package func shutdown() async {
        try? await client.shutdown()
    }

    package func perform(_ request: OutboundHTTPRequest) async -> OutboundHTTPResult {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method.isEmpty ? "GET" : request.method.uppercased())
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if outgoing.headers["User-Agent"].isEmpty { outgoing.headers.add(name: "User-Agent", value: "BotHost/\(HostVersion.current)") }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        let timeout = TimeAmount.milliseconds(Int64(request.timeoutMs == 0 ? 30_000 : request.timeoutMs))
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            var result = OutboundHTTPResult()
            result.httpStatus = UInt32(response.status.code)
            result.headers = response.headers.map { ($0.name, $0.value) }
            do {
                let body = try await response.body.collect(upTo: request.maxBodyBytes)
                result.body = Array(buffer: body)
            } catch is NIOTooManyBytesError {
                return OutboundHTTPResult(httpStatus: result.httpStatus, failure: .tooLarge,
                                          error: "the response body is larger than \(request.maxBodyBytes) bytes")
            }
            return result
        } catch is CancellationError {
            return OutboundHTTPResult(failure: .cancelled, error: "cancelled")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return OutboundHTTPResult(failure: .timeout, error: "no response within \(request.timeoutMs == 0 ? 30_000 : request.timeoutMs) ms (\(error))")
        } catch {
            if Task.isCancelled { return OutboundHTTPResult(failure: .cancelled, error: "cancelled") }
            return OutboundHTTPResult(failure: .transport, error: "\(error)")
        }
    }
}
