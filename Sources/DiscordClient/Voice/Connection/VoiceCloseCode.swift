/// What a voice session does after its WebSocket closed.
package enum VoiceCloseAction: Equatable {
    /// Reconnect and resume the same session (op 7): SSRC, key and UDP socket stay.
    case resume
    /// The session is gone: reconnect and identify afresh (new SSRC, key and UDP socket).
    case newSession
    /// Close 4014: Discord disconnected this session. Do not reconnect; a new voice server
    /// (a move to another channel) may still follow on the main gateway.
    case awaitNewServer
    /// Never reconnect.
    case end(VoiceDisconnectReason)
}

/// Voice close codes: which resume, which start over, and which are final.
package enum VoiceCloseCode {
    /// What the client sends to drop a connection but keep the session (zombie, handshake timeout):
    /// anything but 1000/1001.
    package static let reconnecting: UInt16 = 4900
    /// Ends the session for good (leave, a new session replacing this one, a final error).
    package static let normal: UInt16 = 1000

    /// `code` is nil when the socket dropped without a close frame.
    package static func action(for code: Int?) -> VoiceCloseAction {
        guard let code else { return .resume }
        switch code {
        case 4015:
            return .resume  // the voice server crashed; the session survives
        case 4006, 4009:
            return .newSession  // session no longer valid / timed out
        case 4014:
            return .awaitNewServer
        case 4021:
            return .end(.rateLimited)
        case 4022:
            return .end(.callTerminated)
        case 4016:
            return .end(.failed(.unknownEncryptionMode))
        case 4017:
            return .end(.failed(.endToEndEncryptionRefused))
        case 4004:
            return .end(.failed(.authenticationFailed))
        case 4001, 4002, 4003, 4005, 4011, 4012, 4020:
            // The server refused what this client sent; sending it again cannot help.
            return .end(.failed(.rejected(code: code, message: message(for: code))))
        default:
            // 1000/1001 from the server, 4000 and codes this build does not know: try to resume;
            // if the session is gone the server answers 4006 and the client identifies afresh.
            return .resume
        }
    }

    package static func message(for code: Int) -> String {
        switch code {
        case 4001: "unknown opcode"
        case 4002: "failed to decode payload"
        case 4003: "not authenticated"
        case 4004: "authentication failed"
        case 4005: "already authenticated"
        case 4006: "session no longer valid"
        case 4009: "session timeout"
        case 4011: "server not found"
        case 4012: "unknown protocol"
        case 4014: "disconnected (channel deleted, kicked, or the main gateway session dropped)"
        case 4015: "voice server crashed"
        case 4016: "unknown encryption mode"
        case 4017: "the end-to-end encryption (DAVE) protocol offered was refused"
        case 4020: "bad request"
        case 4021: "rate limited"
        case 4022: "call terminated"
        default: "close code \(code)"
        }
    }
}
