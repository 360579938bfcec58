import DAVE
import Synchronization

/// The voice session's end-to-end layer on the DAVE module: one `DAVESession` per voice session
/// (a new one on every Identify), fed the raw DAVE messages the connection routes here, with the
/// protocol version op 4 chose and who is in the call. The media pipelines reach its frame
/// encryptor and per-sender decryptors through `DAVEFrameTransform`.
///
/// Locked: the connection's actor drives the session while the media threads ask for keys.
package final class DAVEEndToEndSession: VoiceEndToEndSession {
    private struct State {
        var session: DAVESession
        /// Op 4's choice. With 1 and no sending key yet, no media goes out at all.
        var negotiatedVersion = 0
        var sendingEpoch: UInt64?
        var privacyCode: String?
        var protocolVersion = 0
        var decryptors: [UInt64: DAVEFrameDecryptor] = [:]
    }

    package let userID: UInt64
    private let clock: DAVEClock
    private let state: Mutex<State>

    package init(userID: UInt64, clock: DAVEClock = .system) {
        self.userID = userID
        self.clock = clock
        state = Mutex(State(session: DAVESession(userID: userID, channelID: 0, clock: clock)))
    }

    package var maxProtocolVersion: Int { Int(DAVESession.maxProtocolVersion) }

    package func reset(channelID: UInt64) {
        let (userID, clock) = (self.userID, self.clock)
        state.withLock { $0 = State(session: DAVESession(userID: userID, channelID: channelID, clock: clock)) }
    }

    package func start(protocolVersion: Int) throws -> [VoiceEndToEndMessage] {
        try state.withLock { state in
            state.negotiatedVersion = protocolVersion
            state.protocolVersion = protocolVersion
            let events = try state.session.start(protocolVersion: UInt16(clamping: protocolVersion))
            return try Self.apply(events, to: &state)
        }
    }

    package func usersConnected(_ userIDs: [UInt64]) {
        state.withLock { $0.session.clientsConnected(userIDs) }
    }

    package func userDisconnected(_ userID: UInt64) {
        state.withLock { $0.session.clientDisconnected(userID) }
    }

    package func receive(op: Int, payload: ArraySlice<UInt8>) throws -> [VoiceEndToEndMessage] {
        let message: DAVEServerMessage
        if let opcode = DAVEOpcode(rawValue: UInt8(clamping: op)), Int(opcode.rawValue) == op, opcode.isBinary {
            message = try DAVEServerMessage.decode(opcode: opcode, payload: Array(payload))
        } else {
            message = try DAVEServerMessage.decode(jsonOpcode: op, data: Array(payload))
        }
        return try state.withLock { state in
            try Self.apply(try state.session.receive(message), to: &state)
        }
    }

    package var status: VoiceEndToEndStatus {
        state.withLock { state in
            VoiceEndToEndStatus(protocolVersion: state.protocolVersion, epoch: state.sendingEpoch,
                                privacyCode: state.sendingEpoch == nil ? nil : state.privacyCode)
        }
    }

    package func makeFrameTransform(userID: @escaping @Sendable (UInt32) -> UInt64?) -> any VoiceFrameTransform {
        DAVEFrameTransform(session: self, userID: userID)
    }

    // MARK: for the frame transform

    /// The encryptor for our frames; throws while DAVE is negotiated but our first key is not
    /// there yet, so nothing is sent unencrypted into an end-to-end encrypted call.
    package func sendingEncryptor() throws(DAVEFrameTransform.Refusal) -> DAVEFrameEncryptor {
        let (encryptor, ready) = state.withLock { ($0.session.encryptor, Self.readyToSend($0)) }
        if !ready { throw .noSendingKeyYet }
        return encryptor
    }

    package var isReadyToSend: Bool { state.withLock { Self.readyToSend($0) } }

    private static func readyToSend(_ state: State) -> Bool {
        state.negotiatedVersion == 0 || state.protocolVersion == 0 || state.sendingEpoch != nil
    }

    /// The other members of the group, whose frames we may receive.
    package var otherMembers: [UInt64] {
        state.withLock { state in state.session.members.filter { $0 != userID } }
    }

    package func decryptor(for user: UInt64) -> DAVEFrameDecryptor {
        state.withLock { state in
            if let known = state.decryptors[user] { return known }
            let made = state.session.decryptor(for: user)
            state.decryptors[user] = made
            return made
        }
    }

    // MARK: events

    private static func apply(_ events: [DAVESessionEvent], to state: inout State) throws -> [VoiceEndToEndMessage] {
        var out: [VoiceEndToEndMessage] = []
        for event in events {
            switch event {
            case .send(let message):
                let opcode = message.opcode
                let payload = opcode.isBinary ? Array(try message.binaryFrame().dropFirst()) : try message.jsonData()
                out.append(VoiceEndToEndMessage(op: Int(opcode.rawValue), encoding: opcode.isBinary ? .binary : .json, payload: payload))
            case .sendingKeyChanged(let epoch):
                state.sendingEpoch = epoch
            case .groupChanged(_, let privacyCode):
                state.privacyCode = privacyCode
            case .protocolVersionChanged(let version):
                state.protocolVersion = Int(version)
            case .recovering:
                break
            }
        }
        return out
    }
}

/// DAVE at the per-frame seam: our frames are encrypted with our key of the epoch in force, each
/// received frame opened with its sender's keys (the sender named by the SSRC → user map).
package final class DAVEFrameTransform: VoiceFrameTransform {
    package enum Refusal: Error, CustomStringConvertible {
        case noSendingKeyYet
        case unknownSender(ssrc: UInt32)

        package var description: String {
            switch self {
            case .noSendingKeyYet: "the end-to-end encryption group is not ready yet, so no media is sent"
            case .unknownSender(let ssrc): "no user is known for SSRC \(ssrc) yet, so its end-to-end key is unknown"
            }
        }
    }

    private let session: DAVEEndToEndSession
    private let userID: @Sendable (UInt32) -> UInt64?

    package init(session: DAVEEndToEndSession, userID: @escaping @Sendable (UInt32) -> UInt64?) {
        self.session = session
        self.userID = userID
    }

    package func encryptOutgoing(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws {
        try session.sendingEncryptor().encrypt(frame, into: &output)
    }

    package func decryptIncoming(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws {
        if let user = userID(ssrc) {
            try session.decryptor(for: user).decrypt(frame, into: &output)
            return
        }
        // Op 5, which names the SSRC's user, can trail the first packets. A frame opens only
        // under its sender's key (it is authenticated), so each member's keys are tried.
        for member in session.otherMembers {
            if (try? session.decryptor(for: member).decrypt(frame, into: &output)) != nil { return }
        }
        throw Refusal.unknownSender(ssrc: ssrc)
    }
}
