/// Why an MLS operation was refused. Decoding failures are `MLSCodecError`; everything after
/// decoding (cryptography, validation, protocol rules) is one of these.
public enum MLSError: Error, Equatable, Sendable {
    /// A key's bytes are not a valid key for the cipher suite.
    case invalidKey(String)
    /// A signature did not verify (what was signed).
    case invalidSignature(String)
    /// A MAC (membership tag, confirmation tag) did not match.
    case invalidTag(String)
    /// Decryption failed (an HPKE or AEAD ciphertext).
    case decryptionFailed(String)
    /// A structure decoded but breaks a rule of RFC 9420 (which rule).
    case invalid(String)
    /// A feature outside the subset this module implements appeared (PrivateMessage, PSK, ReInit,
    /// external joins, other cipher suites...).
    case unsupported(String)
    /// The message is for another group or epoch.
    case wrongEpoch(expected: UInt64, received: UInt64)
    case wrongGroup
    /// The commit being processed removes this member: it cannot follow the group any further.
    case removedFromGroup
}
