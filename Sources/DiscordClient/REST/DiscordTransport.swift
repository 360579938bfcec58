import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP exchange, fully formed (URL, headers including Authorization, body).
package struct DiscordHTTPRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(String, String)]
    package var body: [UInt8]?
}

/// Sends one request and returns whatever HTTP response arrived. No limits, no retries: those live
/// in `DiscordREST`, so tests can replace the network with a script.
package protocol DiscordTransport: Sendable {
    func execute(_ request: DiscordHTTPRequest, timeoutMs: Int64) async -> Result<DiscordResponse, DiscordRESTError>
    func shutdown() async
}

/// The transport over async-http-client.
package final class HTTPClientTransport: DiscordTransport {
    private let client: HTTPClient
    private let ownsClient: Bool
    private let maxResponseBytes: Int

    /// With no client given, makes one that never follows redirects: a redirect would carry the
    /// Authorization header to wherever it points.
    package init(client: HTTPClient?, maxResponseBytes: Int) {
        self.maxResponseBytes = maxResponseBytes
        if let client {
            self.client = client
            ownsClient = false
        } else {
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.timeout.connect = .seconds(10)
            configuration.timeout.read = .seconds(30)
            configuration.decompression = .enabled(limit: .ratio(100))
            self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsClient = true
        }
    }

    package func shutdown() async {
        if ownsClient { try? await client.shutdown() }
    }

    package func execute(_ request: DiscordHTTPRequest, timeoutMs: Int64) async -> Result<DiscordResponse, DiscordRESTError> {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(timeoutMs))
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return .success(DiscordResponse(status: Int(response.status.code),
                                            headers: response.headers.map { ($0.name, $0.value) },
                                            body: Array(buffer: body)))
        } catch is CancellationError {
            return .failure(.cancelled)
        } catch is NIOTooManyBytesError {
            return .failure(.transport("the response is larger than \(maxResponseBytes) bytes"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failure(.timeout)
        } catch {
            if Task.isCancelled { return .failure(.cancelled) }
            return .failure(.transport(String(describing: error)))
        }
    }
}
