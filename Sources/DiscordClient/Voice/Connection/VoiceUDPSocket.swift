import BotHostCore
import NIOCore
import NIOPosix
import Synchronization

/// The voice session's UDP socket: a NIO datagram channel connected to the voice server's ip/port
/// from Ready, on the host's event loop group. Discovers our external address, then carries audio.
package final class VoiceUDPSocket: Sendable {
    package let channel: any Channel
    package let inbox: VoiceDatagramInbox
    package let remote: VoiceExternalAddress

    private init(channel: any Channel, inbox: VoiceDatagramInbox, remote: VoiceExternalAddress) {
        self.channel = channel
        self.inbox = inbox
        self.remote = remote
    }

    package static func connect(ip: String, port: Int, group: any EventLoopGroup) async throws -> VoiceUDPSocket {
        let inbox = VoiceDatagramInbox()
        // Ready carries an IP literal; resolving a name would block, so it is only the fallback.
        let address: SocketAddress
        do { address = try SocketAddress(ipAddress: ip, port: port) } catch { address = try SocketAddress.makeAddressResolvingHost(ip, port: port) }
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(VoiceUDPChannelHandler(inbox: inbox))
                }
            }
            .connect(to: address)
            .get()
        return VoiceUDPSocket(channel: channel, inbox: inbox, remote: VoiceExternalAddress(ip: ip, port: port))
    }

    /// UDP IP discovery: sends the request for `ssrc` up to `attempts` times, `retryInterval`
    /// apart (on the scheduler's clock), until a valid response for that SSRC arrives. An answer
    /// to an earlier request counts as well.
    package func discoverExternalAddress(ssrc: UInt32, attempts: Int, retryInterval: Duration,
                                 scheduler: TimerScheduler) async throws -> VoiceExternalAddress {
        let step = SchedulerTime.nanoseconds(retryInterval)
        let inbox = self.inbox
        inbox.startDiscovery(ssrc: ssrc)
        defer { inbox.endDiscovery() }
        for _ in 0..<max(1, attempts) {
            try Task.checkCancellation()
            var request = channel.allocator.buffer(capacity: VoiceIPDiscovery.packetLength)
            VoiceIPDiscovery.writeRequest(ssrc: ssrc, into: &request)
            do { try await channel.writeAndFlush(request).get() } catch {
                throw VoiceConnectionError.ipDiscoveryFailed("cannot send the request to \(remote): \(error)")
            }
            let timer = Mutex<TimerScheduler.Token?>(nil)
            let response = await withTaskCancellationHandler {
                await inbox.nextDiscoveryResponse { expire in
                    timer.withLock { $0 = scheduler.schedule(atNs: scheduler.nowNs &+ step, expire) }
                }
            } onCancel: {
                inbox.endDiscovery()
            }
            if let token = timer.withLock({ $0 }) { scheduler.cancel(token) }
            if let response { return response.address }
        }
        try Task.checkCancellation()
        if let malformed = inbox.lastMalformedResponse { throw malformed }
        throw VoiceConnectionError.ipDiscoveryFailed("no response from \(remote) to \(attempts) request(s), \(SchedulerTime.describe(retryInterval)) apart")
    }

    package var allocator: ByteBufferAllocator { channel.allocator }

    /// Writes one datagram; false when the socket is closed. Off the event loop NIO hops onto it.
    @discardableResult
    package func send(_ datagram: ByteBuffer) -> Bool {
        guard channel.isActive else { return false }
        channel.writeAndFlush(datagram, promise: nil)
        return true
    }

    /// Stops delivery and closes the socket; returns once it is closed.
    package func close() async {
        inbox.setHandler(nil)
        inbox.endDiscovery()
        try? await channel.close().get()
    }
}
