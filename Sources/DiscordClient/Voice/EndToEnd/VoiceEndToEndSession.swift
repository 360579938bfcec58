/// The end-to-end encryption layer of one voice session (Discord's DAVE protocol), as the voice
/// gateway connection drives it. The connection parses only the envelopes: it hands each DAVE
/// message's payload (JSON ops 21–24 and 31: the `d` object; binary ops 25–30: the bytes after
/// the sequence number and opcode) to the session and writes back what the session answers.
///
/// One session lives as long as the voice session (across resumes); `reset` starts it over when
/// a connection identifies afresh. Called from the connection's actor, while the media pipelines
/// read keys from their own threads through `makeFrameTransform`, so implementations lock.
public protocol VoiceEndToEndSession: AnyObject, Sendable {
    /// Offered in Identify as `max_dave_protocol_version`.
    var maxProtocolVersion: Int { get }
    /// A new voice session (Identify): forget any group; `channelID` names the group to come.
    func reset(channelID: UInt64)
    /// Op 4's `dave_protocol_version`: 0 is transport encryption only, 1 or more is DAVE.
    func start(protocolVersion: Int) throws -> [VoiceEndToEndMessage]
    /// Ops 11 and 13: who the voice server says is in the call. Add proposals are accepted only
    /// for users expected here.
    func usersConnected(_ userIDs: [UInt64])
    func userDisconnected(_ userID: UInt64)
    /// One DAVE message from the voice server (ops 21–31). Throws when it is refused as a whole
    /// (malformed, unexpected); nothing is then sent.
    func receive(op: Int, payload: ArraySlice<UInt8>) throws -> [VoiceEndToEndMessage]
    /// What `/voice status` and the sandbox show.
    var status: VoiceEndToEndStatus { get }
    /// Whether media may go out now: false while DAVE is negotiated but our first sending key
    /// is not there yet (nothing is sent unencrypted into an end-to-end encrypted call).
    var isReadyToSend: Bool { get }
    /// A per-frame transform for one media pipeline; `userID` names the sender behind an SSRC.
    func makeFrameTransform(userID: @escaping @Sendable (UInt32) -> UInt64?) -> any VoiceFrameTransform
}

/// A message from the end-to-end layer to the voice server.
public struct VoiceEndToEndMessage: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        /// `{"op": op, "d": payload}`: payload is the JSON object for `d`.
        case json
        /// `[u8 op][payload]`: client binary frames carry no sequence number.
        case binary
    }

    public var op: Int
    public var encoding: Encoding
    public var payload: [UInt8]

    public init(op: Int, encoding: Encoding, payload: [UInt8]) {
        self.op = op
        self.encoding = encoding
        self.payload = payload
    }

    /// The WebSocket message's bytes.
    package var frameBytes: [UInt8] {
        switch encoding {
        case .json: Array("{\"op\":\(op),\"d\":".utf8) + payload + Array("}".utf8)
        case .binary: [UInt8(truncatingIfNeeded: op)] + payload
        }
    }
}

/// Where a voice session's end-to-end encryption stands.
public struct VoiceEndToEndStatus: Sendable, Equatable, CustomStringConvertible {
    /// The DAVE protocol version in use (0: transport encryption only).
    public var protocolVersion: Int
    /// The MLS epoch our media is sent in; nil before the group is established.
    public var epoch: UInt64?
    /// The voice privacy code (the epoch authenticator as 30 digits in groups of five), which a
    /// user compares with the one their Discord client shows; nil before the group is established.
    public var privacyCode: String?

    public init(protocolVersion: Int, epoch: UInt64? = nil, privacyCode: String? = nil) {
        self.protocolVersion = protocolVersion
        self.epoch = epoch
        self.privacyCode = privacyCode
    }

    public static let transportOnly = VoiceEndToEndStatus(protocolVersion: 0)

    /// Our media is end-to-end encrypted: DAVE is on and the group has keys.
    public var isEndToEndEncrypted: Bool { protocolVersion > 0 && epoch != nil }

    /// The privacy code in groups of five digits, as Discord's clients show it.
    public var groupedPrivacyCode: String? { privacyCode.map(Self.grouped) }

    /// A displayable code in groups of five digits, as Discord's clients show it.
    public static func grouped(_ code: String) -> String {
        var groups: [Substring] = []
        var rest = Substring(code)
        while !rest.isEmpty {
            groups.append(rest.prefix(5))
            rest = rest.dropFirst(5)
        }
        return groups.joined(separator: " ")
    }

    public var description: String {
        guard protocolVersion > 0 else { return "not end-to-end encrypted (transport encryption only)" }
        guard isEndToEndEncrypted else { return "being set up for end-to-end encryption (DAVE v\(protocolVersion))" }
        return "end-to-end encrypted (DAVE v\(protocolVersion)); voice privacy code \(groupedPrivacyCode ?? "unknown")"
    }
}
