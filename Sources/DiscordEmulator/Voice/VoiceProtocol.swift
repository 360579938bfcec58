import DAVE

/// Voice gateway v8 constants: opcodes, close codes with Discord's reasons, encryption modes.
enum VoiceOp {
    static let identify = 0
    static let selectProtocol = 1
    static let ready = 2
    static let heartbeat = 3
    static let sessionDescription = 4
    static let speaking = 5
    static let heartbeatACK = 6
    static let resume = 7
    static let hello = 8
    static let resumed = 9
    static let clientsConnect = 11
    static let clientDisconnect = 13
    /// DAVE, from the client: ready for transition and invalid commit/welcome (JSON), key package
    /// and commit/welcome (binary). The rest of ops 21–31 only go to clients.
    static let daveTransitionReady = 23
    static let daveInvalidCommitWelcome = 31
    static let daveClientJSONOps: Set<Int> = [daveTransitionReady, daveInvalidCommitWelcome]
    static let daveClientBinaryOps: Set<DAVEOpcode> = [.keyPackage, .commitWelcome]

    /// What a client may send as JSON; anything else closes 4001.
    static let clientOps: Set<Int> = [identify, selectProtocol, heartbeat, speaking, resume, daveTransitionReady, daveInvalidCommitWelcome]
}

enum VoiceClose {
    static let unknownOpcode: UInt16 = 4001
    static let decodeError: UInt16 = 4002
    static let notAuthenticated: UInt16 = 4003
    static let authenticationFailed: UInt16 = 4004
    static let alreadyAuthenticated: UInt16 = 4005
    static let sessionNoLongerValid: UInt16 = 4006
    static let sessionTimeout: UInt16 = 4009
    static let serverNotFound: UInt16 = 4011
    static let unknownProtocol: UInt16 = 4012
    static let disconnected: UInt16 = 4014
    static let serverCrashed: UInt16 = 4015
    static let unknownEncryptionMode: UInt16 = 4016
    static let daveRequired: UInt16 = 4017
    static let badRequest: UInt16 = 4020
    static let rateLimited: UInt16 = 4021
    static let callTerminated: UInt16 = 4022

    static func reason(_ code: UInt16) -> String {
        switch code {
        case 4001: "Unknown opcode."
        case 4002: "Failed to decode payload."
        case 4003: "Not authenticated."
        case 4004: "Authentication failed."
        case 4005: "Already authenticated."
        case 4006: "Session no longer valid."
        case 4009: "Session timeout."
        case 4011: "Server not found."
        case 4012: "Unknown protocol."
        case 4014: "Disconnected."
        case 4015: "Voice server crashed."
        case 4016: "Unknown encryption mode."
        case 4017: "E2EE/DAVE protocol required."
        case 4020: "Bad request."
        case 4021: "Disconnected: rate limited."
        case 4022: "Disconnected: call terminated."
        default: ""
        }
    }

    /// A server close with this code leaves the session resumable; every other code ends it
    /// (the client may identify again while its voice state stands, or rejoin with op 4).
    static func keepsSessionResumable(_ code: UInt16) -> Bool { code == serverCrashed }
}

/// The transport encryption modes the emulator implements (the `_rtpsize` AEAD family).
public enum VoiceEncryptionMode: String, Sendable, CaseIterable {
    case aes256GCM = "aead_aes256_gcm_rtpsize"
    case xChaCha20Poly1305 = "aead_xchacha20_poly1305_rtpsize"

    /// Bytes of the AEAD nonce buffer the 4-byte counter is written into.
    var nonceLength: Int {
        switch self {
        case .aes256GCM: 12
        case .xChaCha20Poly1305: 24
        }
    }
}

enum VoiceLimits {
    /// Server messages kept per session for a v8 resume.
    static let replayBufferSize = 1000
    /// Received packets kept per session.
    static let recordedPacketCap = 100_000
    static let frameRecordCap = 100_000
    /// Opus at 48 kHz, 20 ms: samples per channel per frame, and the RTP timestamp step.
    static let samplesPerFrame = 960
    static let channels = 2
    static let sampleRate = 48_000
}
