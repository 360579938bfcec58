import NIOCore
import Synchronization

/// Where a voice UDP socket's inbound datagrams go: to IP discovery while it runs, afterwards to
/// the receive handler (the media layer). Runs on the socket's event loop, so the handler must be
/// quick.
package final class VoiceDatagramInbox: Sendable {
    /// An IP discovery in progress. It is opened before the first request goes out, so an answer
    /// that beats the sender back to waiting is kept, not lost.
    private struct Discovery {
        let ssrc: UInt32
        var response: VoiceIPDiscovery.Response?
        var waiter: CheckedContinuation<VoiceIPDiscovery.Response?, Never>?
        var waitID: UInt64 = 0
    }

    private struct State {
        var discovery: Discovery?
        /// The last malformed discovery answer, to explain a discovery that ends without a valid one.
        var malformed: VoiceConnectionError?
        var handler: (@Sendable (ByteBuffer) -> Void)?
    }

    private let state = Mutex(State())

    package func receive(_ datagram: ByteBuffer) {
        if VoiceIPDiscovery.looksLikeResponse(datagram) {
            discoveryAnswered(datagram)
            return  // a late duplicate after discovery is no audio either
        }
        let handler = state.withLock { $0.handler }
        handler?(datagram)
    }

    private func discoveryAnswered(_ datagram: ByteBuffer) {
        let parsed = Result { () throws(VoiceConnectionError) in try VoiceIPDiscovery.parseResponse(datagram) }
        let wake = state.withLock { s -> (CheckedContinuation<VoiceIPDiscovery.Response?, Never>, VoiceIPDiscovery.Response)? in
            guard var discovery = s.discovery else { return nil }
            switch parsed {
            case .success(let response) where response.ssrc == discovery.ssrc:
                defer { s.discovery = discovery }
                guard let waiter = discovery.waiter else {
                    discovery.response = response
                    return nil
                }
                discovery.waiter = nil
                return (waiter, response)
            case .success(let response):
                s.malformed = .ipDiscoveryFailed("the response is for SSRC \(response.ssrc), not \(discovery.ssrc)")
                return nil
            case .failure(let error):
                s.malformed = error
                return nil
            }
        }
        if let (waiter, response) = wake { waiter.resume(returning: response) }
    }

    /// Opens a discovery for `ssrc`: valid answers from now on are kept until taken.
    package func startDiscovery(ssrc: UInt32) {
        state.withLock { $0.discovery = Discovery(ssrc: ssrc) }
    }

    /// Ends the discovery; a waiting `nextDiscoveryResponse` returns nil.
    package func endDiscovery() {
        let waiter = state.withLock { s -> CheckedContinuation<VoiceIPDiscovery.Response?, Never>? in
            defer { s.discovery = nil }
            return s.discovery?.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// A valid answer that already arrived, or the next one. `armTimer` receives the function that
    /// ends this wait without an answer (the attempt's timeout); nil is returned then, and also
    /// when no discovery is open.
    package func nextDiscoveryResponse(armTimer: (@escaping @Sendable () -> Void) -> Void) async -> VoiceIPDiscovery.Response? {
        await withCheckedContinuation { continuation in
            enum Next { case answer(VoiceIPDiscovery.Response?), wait(UInt64) }
            let next = state.withLock { s -> Next in
                guard var discovery = s.discovery else { return .answer(nil) }
                if let response = discovery.response { return .answer(response) }
                discovery.waitID += 1
                discovery.waiter = continuation
                s.discovery = discovery
                return .wait(discovery.waitID)
            }
            switch next {
            case .answer(let response): continuation.resume(returning: response)
            case .wait(let id): armTimer { [weak self] in self?.expireWait(id) }
            }
        }
    }

    private func expireWait(_ id: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<VoiceIPDiscovery.Response?, Never>? in
            guard var discovery = s.discovery, discovery.waitID == id, let waiter = discovery.waiter else { return nil }
            discovery.waiter = nil
            s.discovery = discovery
            return waiter
        }
        waiter?.resume(returning: nil)
    }

    package var lastMalformedResponse: VoiceConnectionError? { state.withLock { $0.malformed } }

    package func setHandler(_ handler: (@Sendable (ByteBuffer) -> Void)?) {
        state.withLock { $0.handler = handler }
    }
}

/// The UDP channel's one handler: hands every datagram to the inbox.
package final class VoiceUDPChannelHandler: ChannelInboundHandler {
    package typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let inbox: VoiceDatagramInbox

    package init(inbox: VoiceDatagramInbox) { self.inbox = inbox }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.receive(unwrapInboundIn(data).data)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP "port unreachable" surfaces as ECONNREFUSED on a connected UDP socket; NIO keeps
        // the channel open for it, and so does the session: the next datagram may well arrive.
    }
}
