import NIOCore
import Synchronization

/// Receives every inbound voice datagram (RTP/RTCP, still encrypted) together with the transport
/// it arrived on, whose mode and key decrypt it. Called on the socket's event loop: keep it quick.
public typealias VoiceDatagramHandler = @Sendable (ByteBuffer, VoiceTransport) -> Void

/// What a voice session shares between its driver (which runs the connections) and the public
/// `VoiceSession`: the state and its observers, the SSRC → user map, the receive handler.
package final class VoiceSessionCore: Sendable {
    private struct State {
        var state: VoiceSessionState = .connecting
        var channelID: UInt64
        var observers: [UInt64: AsyncStream<VoiceSessionState>.Continuation] = [:]
        var nextObserver: UInt64 = 0
        var usersBySSRC: [UInt32: UInt64] = [:]
        var connectedUsers: Set<UInt64> = []
        var datagramHandler: VoiceDatagramHandler?
        var speaking: VoiceSpeakingFlags = []
        var lastProblem: String?
        var endToEndObserver: (@Sendable (VoiceEndToEndStatus) -> Void)?
    }

    package let guildID: UInt64
    /// The session's end-to-end encryption (DAVE); nil when the host offers none.
    package let endToEnd: (any VoiceEndToEndSession)?
    private let state: Mutex<State>

    package init(guildID: UInt64, channelID: UInt64, endToEnd: (any VoiceEndToEndSession)? = nil) {
        self.guildID = guildID
        self.endToEnd = endToEnd
        state = Mutex(State(channelID: channelID))
    }

    /// Where end-to-end encryption stands (transport only without a DAVE layer).
    package var endToEndStatus: VoiceEndToEndStatus { endToEnd?.status ?? .transportOnly }

    /// Called with every change of the end-to-end status (one observer: the guild's voice link).
    package func observeEndToEnd(_ observer: (@Sendable (VoiceEndToEndStatus) -> Void)?) {
        state.withLock { $0.endToEndObserver = observer }
    }

    package func endToEndChanged() {
        let observer = state.withLock { $0.endToEndObserver }
        observer?(endToEndStatus)
    }

    // MARK: state

    package var current: VoiceSessionState { state.withLock { $0.state } }

    /// Records and announces a state; nothing changes after `disconnected`. Returns whether it changed.
    @discardableResult
    package func report(_ next: VoiceSessionState) -> Bool {
        let observers = state.withLock { s -> [AsyncStream<VoiceSessionState>.Continuation]? in
            guard !s.state.isDisconnected, s.state != next else { return nil }
            s.state = next
            let observers = Array(s.observers.values)
            if next.isDisconnected { s.observers.removeAll() }
            return observers
        }
        guard let observers else { return false }
        for observer in observers {
            observer.yield(next)
            if next.isDisconnected { observer.finish() }
        }
        return true
    }

    /// The current state, then every change; ends after `disconnected`.
    package func stateChanges() -> AsyncStream<VoiceSessionState> {
        let (stream, continuation) = AsyncStream<VoiceSessionState>.makeStream()
        let (id, now) = state.withLock { s -> (UInt64?, VoiceSessionState) in
            guard !s.state.isDisconnected else { return (nil, s.state) }
            s.nextObserver += 1
            s.observers[s.nextObserver] = continuation
            return (s.nextObserver, s.state)
        }
        continuation.yield(now)
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.observers.removeValue(forKey: id) }
        }
        return stream
    }

    package var channelID: UInt64 {
        get { state.withLock { $0.channelID } }
        set { state.withLock { $0.channelID = newValue } }
    }

    /// Why the last connection attempt failed, for a join that times out.
    package var lastProblem: String? {
        get { state.withLock { $0.lastProblem } }
        set { state.withLock { $0.lastProblem = newValue } }
    }

    package var speaking: VoiceSpeakingFlags {
        get { state.withLock { $0.speaking } }
        set { state.withLock { $0.speaking = newValue } }
    }

    // MARK: who is who (the receive side needs the SSRC → user map)

    package func userID(forSSRC ssrc: UInt32) -> UInt64? { state.withLock { $0.usersBySSRC[ssrc] } }

    package var connectedUserIDs: Set<UInt64> { state.withLock { $0.connectedUsers } }

    package func userSpeaks(userID: UInt64, ssrc: UInt32) {
        state.withLock { s in
            s.usersBySSRC[ssrc] = userID
            s.connectedUsers.insert(userID)
        }
    }

    package func usersConnected(_ users: [UInt64]) {
        state.withLock { $0.connectedUsers.formUnion(users) }
    }

    package func userDisconnected(_ user: UInt64) {
        state.withLock { s in
            s.connectedUsers.remove(user)
            s.usersBySSRC = s.usersBySSRC.filter { $0.value != user }
        }
    }

    /// A new voice session starts with nobody known: the server announces everyone again.
    package func forgetUsers() {
        state.withLock { s in
            s.usersBySSRC.removeAll()
            s.connectedUsers.removeAll()
        }
    }

    // MARK: datagrams

    package func setDatagramHandler(_ handler: VoiceDatagramHandler?) {
        state.withLock { $0.datagramHandler = handler }
    }

    package func deliver(_ datagram: ByteBuffer, from transport: VoiceTransport) {
        let handler = state.withLock { $0.datagramHandler }
        handler?(datagram, transport)
    }
}
