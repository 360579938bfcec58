/// Why bytes could not be read as an MLS structure. Every decoder throws one of these, never traps.
public enum MLSCodecError: Error, Equatable, Sendable {
    /// The input ended before the structure did.
    case truncated
    /// Bytes remained after a structure that must fill its input (a whole message, a vector's body).
    case trailingBytes(Int)
    /// A variable-length integer used more bytes than its value needs (RFC 9420 §2.1.2).
    case nonMinimalLength
    /// A variable-length integer began with the reserved prefix 0b11.
    case invalidLengthPrefix
    /// A length is larger than this implementation accepts.
    case lengthTooLong(Int)
    /// A closed enumeration held a value it does not define (the type's name and the value).
    case unknownValue(String, UInt64)
}
