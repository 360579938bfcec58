/// Why a DAVE operation was refused. Every failure of the module is one of these, so callers can
/// tell a dropped frame (media) from a refused gateway message (protocol) without parsing text.
public enum DAVEError: Error, Hashable, Sendable {
    // MARK: Gateway messages
    /// Bytes from the voice gateway that do not decode as the opcode says (what was wrong).
    case malformedMessage(String)
    /// An opcode this module does not handle, or a JSON opcode asked for as binary (and back).
    case unexpectedOpcode(Int)

    // MARK: Media frames
    /// An incoming frame is not a DAVE protocol frame and passthrough is not allowed now.
    case unencryptedFrame
    /// No key to encrypt or decrypt with (no group yet, or the sender is unknown in every epoch kept).
    case missingKey
    /// The frame's tag did not verify under any key kept for its sender.
    case authenticationFailed
    /// The frame's nonce was already used (a replay) or is older than the replay window.
    case replayedNonce
    /// The frame's key generation was erased (older than the 10 s kept after a newer one).
    case expiredGeneration(UInt32)
    /// The frame's key generation is implausibly far ahead of the newest one seen.
    case generationTooFarAhead(UInt32)
    /// A frame too large for the protocol (sizes are bounded by the supplemental size byte).
    case frameTooLarge(Int)

    // MARK: Group
    /// An MLS operation failed (the MLS module's error, as text: it is not Equatable across modules).
    case mls(String)
    /// A message that the session's current state cannot take (why).
    case unexpectedState(String)
    /// A proposal the session refuses: not Add/Remove, not from the gateway, or for a user not expected.
    case refusedProposal(String)

    // MARK: Codes
    /// Parameters the displayable code algorithm refuses (why).
    case invalidCodeParameters(String)

    /// Part of the module that is not written yet (which part). Never a silent success.
    case notImplemented(String)
}
